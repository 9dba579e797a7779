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
}
