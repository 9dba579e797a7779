import Foundation
import Testing

@testable import VoucherEngine

private let cart = [line("prod_1", 10000)]

@Test(
  "a used voucher can be reactivated three times by default, then no more",
  arguments: StoreKind.allCases)
func reactivationLimit(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "ONE")) { $0.quantity = 1 })

  for (round, left) in zip(1...3, [Int64(2), 1, 0]) {
    _ = try engine.redeem(request("ONE", items: cart, order: "sale-\(round)"))
    let rollback = try engine.reactivate(code: "ONE", reason: "customer complaint", by: "Sam")
    #expect(rollback.reactivationsLeft == left)
    #expect(rollback.voucherCode == "ONE")
    #expect(rollback.by == "Sam")
    let voucher = try #require(try engine.voucher(code: "ONE"))
    #expect(voucher.redeemedQuantity == 0)
    #expect(voucher.reactivationsLeft == left)
  }

  _ = try engine.redeem(request("ONE", items: cart, order: "sale-4"))
  let reason = refusal { try engine.reactivate(code: "ONE", reason: "again") }
  #expect(reason == .reactivationLimitExceeded(limit: 3))
  #expect(reason?.key == "reactivation_limit_exceeded")
  #expect(
    CashierWords.sentence(for: try #require(reason))
      == "Cannot reactivate: it has been reactivated 3 times already.")
  #expect(try engine.voucher(code: "ONE")?.redeemedQuantity == 1)
}

@Test(
  "a voucher with a reactivation limit of 0 cannot be reactivated at all",
  arguments: StoreKind.allCases)
func zeroReactivationLimit(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(
    with(percent(10, code: "ONE")) {
      $0.quantity = 1
      $0.reactivationLimit = 0
    })
  _ = try engine.redeem(request("ONE", items: cart, order: "sale-1"))
  #expect(
    refusal { try engine.reactivate(code: "ONE", reason: "please") }
      == .reactivationLimitExceeded(limit: 0))
}

@Test("reactivating a voucher that can still be used is refused", arguments: StoreKind.allCases)
func reactivateActiveVoucher(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "ONE")) { $0.quantity = 1 })
  let reason = refusal { try engine.reactivate(code: "ONE", reason: "why not") }
  #expect(reason == .voucherStillActive)
  #expect(reason?.key == "voucher_still_active")
}

@Test("reactivating an unknown code is refused as not found", arguments: StoreKind.allCases)
func reactivateUnknownCode(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  #expect(refusal { try engine.reactivate(code: "nope", reason: "x") } == .notFound(code: "NOPE"))
}

@Test("reactivation needs a reason", arguments: StoreKind.allCases)
func reactivationNeedsReason(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "ONE")) { $0.quantity = 1 })
  _ = try engine.redeem(request("ONE", items: cart, order: "sale-1"))
  #expect(isInvalidPayload(refusal { try engine.reactivate(code: "ONE", reason: "   ") }))
  #expect(try engine.voucher(code: "ONE")?.redeemedQuantity == 1)
}

@Test("a used voucher past its expiration cannot be reactivated", arguments: StoreKind.allCases)
func reactivateExpiredVoucher(_ store: StoreKind) throws {
  let clock = ManualClock(Day.now)
  let engine = try makeEngine(store, clock: clock)
  try engine.createVoucher(
    with(percent(10, code: "ONE")) {
      $0.quantity = 1
      $0.expirationDate = Day.endOfYear
    })
  let outcome = try engine.redeem(request("ONE", items: cart, order: "sale-1"))
  clock.set(Day.shifted(Day.endOfYear, milliseconds: 1))

  let reason = refusal { try engine.reactivate(code: "ONE", reason: "too late") }
  #expect(reason == .voucherExpired(expiredAt: Day.endOfYear))
  #expect(
    refusal { try engine.rollback(redemptionId: outcome.redemption.id, reason: "too late") }
      == .voucherExpired(expiredAt: Day.endOfYear))
  #expect(try engine.redemption(id: outcome.redemption.id)?.status == .succeeded)
}

@Test(
  "rolling back the same redemption twice is refused the second time", arguments: StoreKind.allCases
)
func rollbackTwice(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  let outcome = try engine.redeem(request("TEN", items: cart, order: "sale-1"))

  let done = try engine.rollback(redemptionId: outcome.redemption.id, reason: "mistake", by: "Sam")
  #expect(done.map(\.redemptionId) == [outcome.redemption.id])
  let stored = try #require(try engine.redemption(id: outcome.redemption.id))
  #expect(stored.status == .rolledBack)
  #expect(stored.rollbackId == done.first?.id)
  #expect(try engine.voucher(code: "TEN")?.redeemedQuantity == 0)

  let again = refusal { try engine.rollback(redemptionId: outcome.redemption.id, reason: "again") }
  #expect(again == .alreadyRolledBack)
  #expect(again?.key == "already_rolled_back")
}

@Test("rolling back an unknown redemption is refused as not found", arguments: StoreKind.allCases)
func rollbackUnknownRedemption(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  let reason = refusal { try engine.rollback(redemptionId: "r_missing", reason: "x") }
  #expect(reason == .redemptionNotFound(id: "r_missing"))
  #expect(reason?.key == "not_found")
}

@Test("rolling back a gift card redemption returns the credits", arguments: StoreKind.allCases)
func giftRollbackReturnsCredits(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(giftCard(balance: 10000, code: "GIFT"))
  let outcome = try engine.redeem(request("GIFT", items: [line("prod_1", 3000)], order: "sale-1"))
  #expect(try engine.voucher(code: "GIFT")?.kind == .gift(amount: 10000, balance: 7000))

  let done = try engine.rollback(redemptionId: outcome.redemption.id, reason: "returned goods")
  #expect(done.first?.amount == 3000)
  #expect(try engine.voucher(code: "GIFT")?.kind == .gift(amount: 10000, balance: 10000))
}

@Test("rolling back a stacked parent rolls back every child", arguments: StoreKind.allCases)
func stackedRollback(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "FIRST")) { $0.quantity = 1 })
  try engine.createVoucher(giftCard(balance: 5000, code: "GIFT"))
  let outcome = try engine.redeem(request("FIRST", "GIFT", items: cart, order: "sale-1"))

  let done = try engine.rollback(redemptionId: outcome.redemption.id, reason: "void sale")
  #expect(Set(done.map(\.redemptionId)) == Set(outcome.redemption.children.map(\.id)))
  #expect(Set(done.map(\.voucherCode)) == ["FIRST", "GIFT"])

  let parent = try #require(try engine.redemption(id: outcome.redemption.id))
  #expect(parent.status == .rolledBack)
  #expect(parent.children.map(\.status) == [.rolledBack, .rolledBack])
  #expect(try engine.voucher(code: "FIRST")?.redeemedQuantity == 0)
  #expect(try engine.voucher(code: "GIFT")?.kind == .gift(amount: 5000, balance: 5000))
  #expect(
    refusal { try engine.rollback(redemptionId: outcome.redemption.id, reason: "again") }
      == .alreadyRolledBack)
}

@Test("the event log records redemptions and rollbacks", arguments: StoreKind.allCases)
func eventLog(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  let voucher = try engine.createVoucher(percent(10, code: "TEN"))
  let outcome = try engine.redeem(request("TEN", items: cart, order: "sale-1", terminal: "till 02"))
  _ = try engine.rollback(redemptionId: outcome.redemption.id, reason: "mistake", by: "Sam")

  let events = try engine.events(subject: voucher.id)
  #expect(events.map(\.kind) == ["redemption.rolled_back", "voucher.redeemed", "voucher.created"])
  #expect(events.allSatisfy { $0.subject == voucher.id })
  #expect(events[0].actor == "Sam")
  #expect(events[1].actor == "Kim at till 02")
  #expect(events[1].detail.contains(outcome.redemption.id))
  #expect(events.map(\.sequence) == events.map(\.sequence).sorted(by: >))
}

@Test("the database refuses to change or delete events", arguments: StoreKind.allCases)
func eventLogIsAppendOnly(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  let update = try runShell(on: engine, "UPDATE events SET kind = 'forged';")
  #expect(update.failed)
  #expect(update.output.contains("append-only"))
  let delete = try runShell(on: engine, "DELETE FROM events;")
  #expect(delete.failed)
  #expect(delete.output.contains("append-only"))

  #expect(try engine.events().map(\.kind) == ["voucher.created"])
}
