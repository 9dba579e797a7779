import Foundation
import Testing
import VoucherClient

@testable import CashierUI

/// The screens offer what the back end can do, and say what it cannot.
@Suite("capabilities on screen")
struct CapabilityTests {
  static let exactOnly = BackendCapabilities(
    contactSearch: [.email, .phone, .memberNumber, .personalNumber], validation: .till,
    stacking: .oneByOne, redeemGuarantee: .pointOfNoReturn(seconds: 4.5, grace: 30),
    unRedeem: .reactivate, listsDaysSales: false)

  @Test("a back end without name search says so when a name is typed, not 'no match'")
  func exactSearchOnly() async throws {
    let till = try Till()
    till.state.session.capabilities = Self.exactOnly
    #expect(till.screen().contains("Type email, phone, member number or personal number (exact)."))
    await till.send(.queryEdited("karin"), running: false)
    await till.send(.contactsFound(query: "karin", .success([])), running: false)
    let screen = till.screen()
    #expect(screen.contains("This voucher system does not search contacts by name."))
    #expect(screen.contains("Search by email, phone, member number or personal number."))
    #expect(!screen.contains("No contact matches"))
  }

  @Test("a back end with no contact lookup opens on the code field and says why")
  func codeFirst() async throws {
    let till = try Till()
    var session = till.state.session
    session.capabilities.contactSearch = []
    till.state = AppState(session: session, now: till.state.now)
    #expect(till.state.findContact.focus == .code)
    #expect(
      till.screen().contains(
        "This voucher system has no contact lookup: scan or type a voucher code."))
    await till.press(.tab, .function(2))
    #expect(till.state.findContact.focus == .code)
  }

  @Test("without contact lookup the cart takes a customer reference, sent with the sale")
  func customerReference() async throws {
    let till = try Till()
    var session = till.state.session
    session.capabilities.contactSearch = []
    session.capabilities.unRedeem = .none
    till.state = AppState(session: session, now: till.state.now)
    await till.type("WELCOME10")
    await till.press(.enter)
    #expect(till.state.route == .cart)
    #expect(till.screen().contains("id, email or phone (Tab), if any"))
    #expect(!till.screen().contains("F2 finds one"))
    await till.press(.tab, .tab)
    #expect(till.state.cart.focus == .customer)
    await till.type("shop-42")
    #expect(till.state.sale.customerReference == "shop-42")
    #expect(till.state.sale.request(session: till.state.session).customer == "shop-42")
    #expect(till.screen().contains("shop-42"))
    await till.press(.enter)
    #expect(till.state.cart.focus == .line)
    // Blank clears it: nothing is sent.
    await till.press(.tab, .tab)
    for _ in 0..<7 { await till.press(.backspace) }
    #expect(till.state.sale.customerReference == nil)
    #expect(till.state.sale.request(session: till.state.session).customer == nil)
  }

  @Test("support on a back end that cannot give a use back says so and sends nothing")
  func cannotGiveBack() async throws {
    let till = try Till(role: .support)
    till.state.session.capabilities.unRedeem = .none
    await till.openAlice()
    var screen = SupportScreen(
      voucher: try #require(till.state.contact?.selected?.voucher), status: .used,
      holderName: "Alice")
    screen.cannotGiveBack = true
    till.state.support = screen
    till.state.route = .support
    #expect(till.screen().contains("This voucher system cannot give a use back."))
    await till.press(.enter)
    #expect(till.state.support?.phase == .editing)
  }
}

@Suite("capabilities in the footer")
struct CapabilityFooterTests {
  @Test("a back end without a day's sales is not offered F7 in the footer")
  func noSalesKey() throws {
    let till = try Till()
    #expect(till.screen().contains("F7 Sales"))
    till.state.session.capabilities.listsDaysSales = false
    #expect(!till.screen().contains("F7 Sales"))
  }
}
