import Foundation
import Testing
import VoucherClient
import VoucherEngine

@testable import CashierUI

/// A store's day at one till: sales listed newest first with totals, and voids by the rules.
@Suite("the day's sales")
struct SalesTests {
  /// Three sales of WELCOME10 on prod_1 at 100.00, a minute apart.
  func dayOfThreeSales(role: Role = .cashier) async throws -> Till {
    let till = try Till(role: role)
    for _ in 0..<3 {
      await till.press(.function(3))
      await till.type("WELCOME10")
      await till.press(.enter)
      await till.type("prod_1 1 100")
      await till.press(.enter, .function(5), .function(9), .enter)
      #expect(till.screen().contains("Enter starts a new sale."))
      await till.press(.enter)
      await till.advance(by: 60)
    }
    return till
  }

  @Test("F7 lists this till's sales of today, newest first, with totals")
  func listed() async throws {
    let till = try await dayOfThreeSales()
    await till.press(.function(7))
    #expect(till.state.route == .daysSales)
    let orders = till.state.sales?.sales.map { $0.order.sourceId ?? "" }
    #expect(orders == ["T01-test0001-0003", "T01-test0001-0002", "T01-test0001-0001"])
    let screen = till.screen().squeezed
    #expect(screen.contains("3 sales 30.00 SEK vouchers"))
    #expect(screen.contains("270.00 SEK paid"))
    await till.press(.escape)
    #expect(till.state.route == .findContact)
  }

  @Test("a cashier voids the last sale within the window, with a reason; not an older one")
  func cashierVoids() async throws {
    let till = try await dayOfThreeSales()
    await till.press(.function(7), .down, .enter)
    #expect(till.screen().contains("A cashier may void only this till's last sale"))
    await till.press(.up, .enter)
    await till.press(.enter)
    #expect(till.screen().contains("Type the reason first"))
    await till.type("Customer changed their mind")
    await till.press(.enter)
    let screen = till.screen().squeezed
    #expect(screen.contains("Voided T01-test0001-0003: 1 voucher use given back."))
    #expect(screen.contains("2 sales, 1 voided"))
    #expect(till.state.sales?.sales.first?.status == .rolledBack)
    let events = try till.engine.events(limit: 5).map(\.kind)
    #expect(events.contains("redemption.rolled_back"))
  }

  @Test("past the void window a cashier is sent to support; support may void any sale")
  func windowAndSupport() async throws {
    let till = try await dayOfThreeSales()
    await till.advance(by: 11 * 60)
    await till.press(.function(7), .enter)
    #expect(till.screen().contains("only within 10 minutes of it; ask support."))
    let support = try await dayOfThreeSales(role: .support)
    await support.advance(by: 60 * 60)
    await support.press(.function(7), .down, .down, .enter)
    // `--role support` alone proves nothing: the PIN first, then the void goes on.
    #expect(support.screen().contains("Support PIN needed to void this sale"))
    await support.giveSupportPIN()
    #expect(support.state.sales?.phase == .voiding(reason: ""))
    await support.type("Wrong customer")
    await support.press(.enter)
    #expect(support.screen().contains("Voided T01-test0001-0001"))
  }
}
