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
    .missingCustomer, .missingCustomerForLimit(limit: 1),
    .orderBelowMinimum(minimum: 20000, orderAmount: 25900), .noApplicableItem,
    .giftAmountExceeded(balance: 0, requested: 100),
    .giftAmountExceeded(balance: 500, requested: 900),
    .alreadyRolledBack, .duplicatedRedeemables(code: "A"), .invalidPayload("bad cart"),
    .reactivationLimitExceeded(limit: 3), .voucherStillActive,
  ]

  @Test("each refusal reads as the cashier's sentence on the cart", arguments: reasons)
  func reasonOnCart(_ reason: Reason) async throws {
    let till = try Till()
    await till.aliceCartValidated()
    guard case .answered(var result) = till.state.sale.validation else {
      Issue.record("no validation")
      return
    }
    result.valid = false
    result.redeemables[0].refusal = reason
    till.state.sale.validation = .checking
    await till.send(.validated(orderId: till.state.sale.orderId, .success(result)), running: false)
    let sentence = CashierWords.sentence(
      for: reason, currency: "SEK", timeZone: TimeZone(identifier: "UTC")!)
    let lines = till.screen().split(separator: "\n").map(String.init)
    #expect(lines.contains("  Not valid: ALICE-10OFF-2026"))
    #expect(lines.contains("  " + sentence), "\(sentence)")
  }

  @Test("real refusals from the demo data reach the cart screen")
  func realRefusals() async throws {
    for (contact, code, sentence) in [
      ("jose", "JOSE-DISABLED-15", "This voucher has been switched off."),
      ("alice", "XMAS-100", "Expired on"), ("erik", "ERIK-COFFEE-3X", "Already used on"),
      ("alice", "COFFEE-FIX-25", "No item in the cart qualifies for this voucher."),
      ("alice", "SUMMER-50", "Order must be at least 300.00 SEK (now 259.00 SEK)."),
    ] {
      let till = try Till()
      await till.type(contact)
      await till.press(.enter, .function(3))
      await till.type(code)
      await till.press(.enter)
      await till.type("prod_1 1 259.00")
      await till.press(.enter, .function(5))
      #expect(till.state.sale.codes.map(\.code) == [code])
      #expect(till.screen().contains(sentence), "\(code): \(till.screen())")
    }
  }

  @Test("a bound voucher scanned without a customer names its holder and attaches them")
  func holderOffered() async throws {
    let till = try Till()
    await till.press(.function(3))
    await till.type("alice-10off-2026")
    await till.press(.enter)
    #expect(till.state.question != nil)
    #expect(till.screen().contains("ALICE-10OFF-2026 belongs to Alice Example."))
    await till.press(.enter)
    #expect(till.state.sale.customer?.name == "Alice Example")
    #expect(till.state.sale.codes.map(\.code) == ["ALICE-10OFF-2026"])
    #expect(till.state.route == .cart)
    await till.type("prod_1 1 259.00")
    await till.press(.enter, .function(5))
    #expect(till.screen().contains("Valid. F9 redeems."))
  }

  @Test("Esc on the holder question drops the code and clears the field")
  func holderDeclined() async throws {
    let till = try Till()
    await till.press(.function(3))
    await till.type("alice-10off-2026")
    await till.press(.enter, .escape)
    #expect(till.state.sale.codes.isEmpty)
    #expect(till.state.sale.customer == nil)
    #expect(till.state.findContact.code == "")
  }
}
