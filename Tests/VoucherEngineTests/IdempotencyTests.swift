import Foundation
import Testing

@testable import VoucherEngine

private let cart = [line("prod_1", 10000)]

@Test(
  "the same order redeemed twice makes one redemption and replays it", arguments: StoreKind.allCases
)
func sameOrderTwice(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  let sale = request("TEN", items: cart, order: "sale-1")

  let first = try engine.redeem(sale)
  let second = try engine.redeem(sale)
  #expect(!first.isReplay)
  #expect(second.isReplay)
  #expect(second.redemption.id == first.redemption.id)
  #expect(second.redemption == first.redemption)
  #expect(try engine.voucher(code: "TEN")?.redeemedQuantity == 1)
  #expect(try engine.redemptions(RedemptionQuery(orderSourceId: "sale-1")).count == 1)
}

@Test(
  "a quantity-1 voucher is refused on a new order after its one use", arguments: StoreKind.allCases)
func newOrderAfterOneUse(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "ONE")) { $0.quantity = 1 })
  _ = try engine.redeem(request("ONE", items: cart, order: "sale-1"))
  let reason = refusal { try engine.redeem(request("ONE", items: cart, order: "sale-2")) }
  guard case .quantityExceeded = reason else {
    Issue.record("expected quantityExceeded, got \(String(describing: reason))")
    return
  }
  #expect(try engine.voucher(code: "ONE")?.redeemedQuantity == 1)
  // The original order still replays: the till asking again is answered, not refused.
  #expect(try engine.redeem(request("ONE", items: cart, order: "sale-1")).isReplay)
}

@Test("the same idempotency key replays the first answer", arguments: StoreKind.allCases)
func sameIdempotencyKey(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  let sale = request("TEN", items: cart)

  let first = try engine.redeem(sale, idempotencyKey: "key-1")
  let second = try engine.redeem(sale, idempotencyKey: "key-1")
  #expect(!first.isReplay)
  #expect(second.isReplay)
  #expect(second.redemption.id == first.redemption.id)
  #expect(try engine.voucher(code: "TEN")?.redeemedQuantity == 1)
  #expect(try engine.counts().redemptions == 1)
}

@Test(
  "the same idempotency key with a different request is an invalid payload",
  arguments: StoreKind.allCases)
func sameKeyDifferentRequest(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  _ = try engine.redeem(request("TEN", items: cart), idempotencyKey: "key-1")
  let other = request("TEN", items: [line("prod_1", 20000)])
  let reason = refusal { try engine.redeem(other, idempotencyKey: "key-1") }
  #expect(isInvalidPayload(reason))
  #expect(reason?.key == "invalid_payload")
  #expect(try engine.voucher(code: "TEN")?.redeemedQuantity == 1)
}

@Test(
  "a stacked redeem replayed with the same order returns the same parent and children",
  arguments: StoreKind.allCases)
func stackedReplay(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "FIRST"))
  try engine.createVoucher(giftCard(balance: 5000, code: "GIFT"))
  let sale = request("FIRST", "GIFT", items: cart, order: "sale-9")

  let first = try engine.redeem(sale)
  #expect(first.redemption.voucherId == nil)
  #expect(first.redemption.children.map(\.voucherCode) == ["FIRST", "GIFT"])
  #expect(first.redemption.children.allSatisfy { $0.parentId == first.redemption.id })
  #expect(first.redemption.amount == 1000 + 5000)
  #expect(first.perCode.map(\.amount) == [1000, 5000])

  let second = try engine.redeem(sale)
  #expect(second.isReplay)
  #expect(second.redemption.id == first.redemption.id)
  #expect(second.redemption.children.map(\.id) == first.redemption.children.map(\.id))
  #expect(try engine.voucher(code: "GIFT")?.kind == .gift(amount: 5000, balance: 0))
  #expect(try engine.voucher(code: "FIRST")?.redeemedQuantity == 1)
}

@Test(
  "a code already redeemed on an order cannot join another request on that order",
  arguments: StoreKind.allCases)
func codeReusedOnSameOrderInAnotherRequest(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "FIRST"))
  try engine.createVoucher(percent(10, code: "SECOND"))
  _ = try engine.redeem(request("FIRST", items: cart, order: "sale-1"))
  let reason = refusal {
    try engine.redeem(request("FIRST", "SECOND", items: cart, order: "sale-1"))
  }
  #expect(isInvalidPayload(reason))
  #expect(try engine.voucher(code: "SECOND")?.redeemedQuantity == 0)
}

@Test("redemptions are found by order, code, customer and id", arguments: StoreKind.allCases)
func redemptionLookups(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  let alice = try engine.upsertCustomer(
    CustomerDraft(sourceId: "c-1", name: "Alice Example", email: "alice@example.com"))
  try engine.createVoucher(percent(10, code: "TEN"))
  try engine.createVoucher(percent(10, code: "FIRST"))
  try engine.createVoucher(percent(10, code: "SECOND"))
  let single = try engine.redeem(request("TEN", items: cart, customer: "c-1", order: "sale-1"))
  let stacked = try engine.redeem(
    request("FIRST", "SECOND", items: cart, customer: alice.id, order: "sale-2"))

  let byOrder = try engine.redemptions(RedemptionQuery(orderSourceId: "sale-2"))
  #expect(byOrder.map(\.id) == [stacked.redemption.id])
  #expect(byOrder.first?.children.count == 2)

  let byCode = try engine.redemptions(RedemptionQuery(code: "second"))
  #expect(byCode.map(\.id) == [stacked.redemption.children[1].id])

  let byCustomer = try engine.redemptions(RedemptionQuery(customer: "alice@example.com"))
  #expect(Set(byCustomer.map(\.id)) == [single.redemption.id, stacked.redemption.id])

  #expect(try engine.redemptions(RedemptionQuery(orderSourceId: "sale-404")).isEmpty)
  #expect(try engine.redemption(id: single.redemption.id) == single.redemption)
  #expect(try engine.redemption(id: stacked.redemption.id) == stacked.redemption)
  #expect(try engine.redemption(id: "r_missing") == nil)
}

@Test(
  "looking up redemptions of an unknown code or customer is refused", arguments: StoreKind.allCases)
func redemptionLookupRefusals(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  #expect(
    refusal { try engine.redemptions(RedemptionQuery(code: "nope")) } == .notFound(code: "NOPE"))
  #expect(
    refusal { try engine.redemptions(RedemptionQuery(customer: "ghost")) }
      == .customerNotFound(reference: "ghost"))
}
