import Foundation
import Testing
import VoucherClient
import VoucherEngine

@testable import CashierUI

@Suite("cart reasons")
struct CartReasonTests {
  static let day = Date(timeIntervalSince1970: 1_900_000_000)

  static let reasons: [Reason] = [
    .notFound(code: "NOPE-1"), .voucherExpired(expiredAt: day), .customerNotFound(reference: "x"),
    .voucherNotActive(startsAt: day), .voucherDisabled,
    .quantityExceeded(lastUse: UseRecord(date: day, terminal: "till 02")),
    .quantityExceeded(lastUse: nil), .boundToAnotherCustomer, .perCustomerLimitReached(limit: 1),
    .missingCustomer, .orderBelowMinimum(minimum: 20000, orderAmount: 25900), .noApplicableItem,
    .giftAmountExceeded(balance: 0, requested: 100),
    .giftAmountExceeded(balance: 500, requested: 900),
    .alreadyRolledBack, .duplicatedRedeemables(code: "A"), .invalidPayload("bad cart"),
    .reactivationLimitExceeded(limit: 3), .voucherStillActive,
  ]

  @Test("each refusal reads as the cashier's sentence on the cart", arguments: reasons)
  func reasonOnCart(_ reason: Reason) async throws {
    let till = try Till()
    await till.aliceCartValidated()
    guard case .answered(var result) = till.state.cart.validation else {
      Issue.record("no validation")
      return
    }
    result.valid = false
    result.redeemables[0].refusal = reason
    till.state.cart.validation = .checking
    await till.send(.validated(.success(result)), running: false)
    let sentence = CashierWords.sentence(
      for: reason, currency: "SEK", timeZone: TimeZone(identifier: "UTC")!)
    let lines = till.screen().split(separator: "\n").map(String.init)
    #expect(lines.contains("  Not valid: ALICE-10OFF-2026"))
    #expect(lines.contains("  " + sentence), "\(sentence)")
  }

  @Test("real refusals from the demo data reach the cart screen")
  func realRefusals() async throws {
    for (code, sentence) in [
      ("JOSE-DISABLED-15", "This voucher has been switched off."),
      ("XMAS-100", "Expired on"), ("ERIK-COFFEE-3X", "Already used on"),
      ("COFFEE-FIX-25", "No item in the cart qualifies for this voucher."),
      ("SUMMER-50", "Order must be at least 300.00 SEK (now 259.00 SEK)."),
    ] {
      let till = try Till()
      await till.openAlice()
      await till.press(.enter, .function(3))
      await till.press(.delete)
      await till.type(code)
      await till.press(.enter, .tab)
      await till.type("prod_1 1 259.00")
      await till.press(.enter, .function(5))
      #expect(till.state.cart.codes == [code])
      #expect(till.screen().contains(sentence), "\(code): \(till.screen())")
    }
  }

  @Test("a bound voucher scanned without its customer asks for the customer")
  func missingCustomer() async throws {
    let till = try Till()
    await till.press(.function(3))
    await till.type("alice-10off-2026")
    await till.press(.enter)
    #expect(till.state.route == .cart)
    await till.type("prod_1 1 259.00")
    await till.press(.enter, .function(5))
    #expect(till.screen().contains("Find the customer first: this voucher is personal."))
  }
}
