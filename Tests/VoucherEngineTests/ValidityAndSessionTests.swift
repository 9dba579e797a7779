import Foundation
import Testing

@testable import VoucherEngine

// Voucherify's validity rules and validation sessions, by the engine's clock. `Day.now`
// (3 Nov 2026 10:00 UTC) is a Tuesday; the engine reads days and hours in UTC here.

private func utcEngine(_ clock: ManualClock) throws -> VoucherEngine {
  try VoucherEngine(path: makeDatabasePath(), clock: clock, timeZone: utcZone)
}

private let cart = [line("prod_1", 10_000)]

@Suite("Validity rules and validation sessions")
struct ValidityAndSessionTests {
  @Test("a Mondays-only voucher is refused on a Tuesday and accepted on the Monday after")
  func dayOfWeek() throws {
    let clock = ManualClock(Day.now)
    let engine = try utcEngine(clock)
    try engine.createVoucher(with(amountOff(500, code: "MONDAY")) { $0.validity.daysOfWeek = [1] })
    #expect(
      try validationRefusal(engine, request("MONDAY", items: cart))
        == .notValidToday(validDays: [1]))
    #expect(
      refusal { try engine.redeem(request("MONDAY", items: cart, order: "o-1")) }
        == .notValidToday(validDays: [1]))
    clock.set(Day.utc(2026, 11, 9, 0, 0))
    #expect(try validationRefusal(engine, request("MONDAY", items: cart)) == nil)
    clock.set(Day.utc(2026, 11, 9, 23, 59))
    #expect(
      try engine.redeem(request("MONDAY", items: cart, order: "o-2")).redemption.amount == 500)
    clock.set(Day.utc(2026, 11, 10, 0, 0))
    #expect(
      try validationRefusal(engine, request("MONDAY", items: cart))
        == .notValidToday(validDays: [1]))
  }

  @Test(
    "an hours window 09:00–17:00 on weekdays: refused before and after, accepted inside",
    arguments: [
      (Day.utc(2026, 11, 3, 8, 59), false), (Day.utc(2026, 11, 3, 9, 0), true),
      (Day.utc(2026, 11, 3, 17, 0), true), (Day.utc(2026, 11, 3, 17, 1), false),
      (Day.utc(2026, 11, 7, 12, 0), false),
    ])
  func hoursWindow(moment: Date, valid: Bool) throws {
    let clock = ManualClock(moment)
    let engine = try utcEngine(clock)
    try engine.createVoucher(
      with(percent(10, code: "HAPPY")) {
        $0.validity.hours = [
          ValidityRules.DailyWindow(startMinute: 540, endMinute: 1020, daysOfWeek: [1, 2, 3, 4, 5])
        ]
      })
    let reason = try validationRefusal(engine, request("HAPPY", items: cart))
    if valid {
      #expect(reason == nil)
    } else {
      // Saturday has no window at all.
      let windows = moment == Day.utc(2026, 11, 7, 12, 0) ? [] : ["09:00–17:00"]
      #expect(reason == .outsideValidHours(windows: windows))
      #expect(
        CashierWords.sentence(for: reason!, timeZone: utcZone).hasPrefix("Not valid at this hour"))
    }
  }

  @Test("a timeframe of 8 hours every day from the start date opens and closes by the clock")
  func timeframe() throws {
    let start = Day.utc(2026, 11, 2, 9)
    let clock = ManualClock(Day.utc(2026, 11, 3, 16, 59))
    let engine = try utcEngine(clock)
    try engine.createVoucher(
      with(amountOff(100, code: "SHIFT")) {
        $0.startDate = start
        $0.validity.timeframe = ValidityRules.Timeframe(interval: "P1D", duration: "PT8H")
      })
    #expect(try validationRefusal(engine, request("SHIFT", items: cart)) == nil)
    clock.set(Day.utc(2026, 11, 3, 17, 0))
    #expect(
      try validationRefusal(engine, request("SHIFT", items: cart))
        == .outsideTimeframe(nextStart: Day.utc(2026, 11, 4, 9)))
    clock.set(Day.utc(2026, 11, 4, 9))
    #expect(try validationRefusal(engine, request("SHIFT", items: cart)) == nil)
    // Months vary in length: not a timeframe.
    #expect(ValidityRules.Timeframe(interval: "P1M", duration: "PT1H") == nil)
    #expect(ValidityRules.Timeframe(interval: "P1W", duration: "PT90M")?.durationSeconds == 5_400)
  }

  @Test("aggregated_amount_limit caps what one voucher takes off an order")
  func aggregatedLimit() throws {
    let engine = try utcEngine(ManualClock(Day.now))
    try engine.createVoucher(with(percent(50, code: "HALF")) { $0.aggregatedAmountLimit = 3_000 })
    let result = try engine.validate(request("HALF", items: cart))
    #expect(result.discountAmount == 3_000)
    #expect(
      try engine.redeem(request("HALF", items: cart, order: "o-1")).redemption.amount == 3_000)
  }

  @Test("a session lock held by one till refuses another until released or expired")
  func sessionLock() throws {
    let clock = ManualClock(Day.now)
    let engine = try utcEngine(clock)
    try engine.createVoucher(with(amountOff(500, code: "ONCE")) { $0.quantity = 1 })
    func validate(_ session: String?, lifetime: TimeInterval? = 60) throws -> ValidationResult {
      var asked = request("ONCE", items: cart)
      asked.session = session.map { SessionRequest(key: $0, lifetime: lifetime) }
      return try engine.validate(asked)
    }
    let held = try validate("till-1")
    #expect(held.valid)
    #expect(held.session?.key == "till-1")
    #expect(held.session?.expiresAt == Day.now.addingTimeInterval(60))
    // Another till, with or without a session of its own, is refused while it is held.
    #expect(
      try validate("till-2").redeemables[0].refusal
        == .heldBySession(until: Day.now.addingTimeInterval(60)))
    #expect(
      try validate(nil).redeemables[0].refusal
        == .heldBySession(until: Day.now.addingTimeInterval(60)))
    #expect(
      refusal { try engine.redeem(request("ONCE", items: cart, order: "other")) }
        == .heldBySession(until: Day.now.addingTimeInterval(60)))
    // The holder may ask again (multiple requests in one session).
    #expect(try validate("till-1").valid)
    // Released: the other till may take it.
    try engine.releaseSession(code: "once", key: "till-1")
    #expect(try validate("till-2").valid)
    // Expired by the clock: held no more.
    clock.advance(by: 60)
    #expect(try validate("till-3").valid)
    // The session's own redemption uses its hold and removes it.
    var redeem = request("ONCE", items: cart, order: "o-1")
    redeem.session = SessionRequest(key: "till-3")
    #expect(try engine.redeem(redeem).redemption.amount == 500)
    #expect(
      try engine.store.read { try $0.sessionLocks(voucherId: engine.voucher(code: "ONCE")!.id) }
        .isEmpty)
    #expect(
      CashierWords.sentence(for: .heldBySession(until: Day.now), timeZone: utcZone).contains(
        "10:00"))
  }

  @Test("a session holds the gift credits it validated; others see only the rest")
  func sessionHoldsGiftCredits() throws {
    let engine = try utcEngine(ManualClock(Day.now))
    try engine.createVoucher(giftCard(balance: 10_000, code: "CARD"))
    var first = RedemptionRequest(codes: [CodeRequest("CARD", giftCredits: 6_000)], items: cart)
    first.session = SessionRequest(key: "till-1", lifetime: 300)
    #expect(try engine.validate(first).valid)
    var second = RedemptionRequest(codes: [CodeRequest("CARD", giftCredits: 5_000)], items: cart)
    second.session = SessionRequest(key: "till-2", lifetime: 300)
    #expect(
      try engine.validate(second).redeemables[0].refusal
        == .giftAmountExceeded(balance: 4_000, requested: 5_000))
    second.codes = [CodeRequest("CARD", giftCredits: 4_000)]
    #expect(try engine.validate(second).valid)
  }

  @Test("plain rollbacks have no limit; only reactivation counts against it")
  func rollbacksAreNotReactivations() throws {
    let engine = try utcEngine(ManualClock(Day.now))
    try engine.createVoucher(with(amountOff(100, code: "MANY")) { $0.reactivationLimit = 3 })
    for round in 1...5 {
      let made = try engine.redeem(request("MANY", items: cart, order: "o-\(round)"))
      #expect(
        try engine.rollback(redemptionId: made.redemption.id, reason: "till error").count == 1)
      #expect(
        refusal { try engine.rollback(redemptionId: made.redemption.id, reason: "again") }
          == .alreadyRolledBack)
    }
    let voucher = try #require(try engine.voucher(code: "MANY"))
    #expect(voucher.reactivationCount == 0)
    #expect(voucher.redeemedQuantity == 0)
  }
}
