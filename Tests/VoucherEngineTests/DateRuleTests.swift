import Foundation
import Testing

@testable import VoucherEngine

/// A voucher valid from `start` to `end` (both inclusive), on whole milliseconds.
private let start = Day.utc(2026, 11, 10, 8)
private let end = Day.utc(2026, 11, 20, 18)
private let cart = [line("prod_1", 10000)]

private func engineWithDatedVoucher(at moment: Date) throws -> (VoucherEngine, ManualClock) {
  let clock = ManualClock(Day.now)
  let engine = try makeEngine(clock: clock)
  try engine.createVoucher(
    with(percent(10, code: "DATED")) {
      $0.startDate = start
      $0.expirationDate = end
    })
  clock.set(moment)
  return (engine, clock)
}

@Test(
  "a dated voucher's status follows the clock, with both ends inclusive",
  arguments: [
    (Day.shifted(start, milliseconds: -1), VoucherStatus.notActiveYet),
    (start, .active),
    (Day.shifted(start, milliseconds: 1), .active),
    (end, .active),
    (Day.shifted(end, milliseconds: 1), .expired),
  ])
func statusFollowsTheClock(moment: Date, expected: VoucherStatus) throws {
  let (engine, _) = try engineWithDatedVoucher(at: moment)
  let result = try engine.validate(request("DATED", items: cart))
  #expect(result.redeemables.first?.status == expected)
  #expect(result.valid == (expected == .active))
}

@Test("one millisecond before the start the voucher is refused as not active yet")
func beforeStart() throws {
  let (engine, _) = try engineWithDatedVoucher(at: Day.shifted(start, milliseconds: -1))
  let reason = try validationRefusal(engine, request("DATED", items: cart))
  #expect(reason == .voucherNotActive(startsAt: start))
  #expect(reason?.key == "voucher_not_active")
  #expect(
    refusal { try engine.redeem(request("DATED", items: cart)) }
      == .voucherNotActive(startsAt: start))
  #expect(
    CashierWords.sentence(for: .voucherNotActive(startsAt: start), timeZone: utcZone)
      == "Not valid yet: starts on 10 Nov 2026.")
}

@Test("at the start instant the voucher redeems")
func atStart() throws {
  let (engine, _) = try engineWithDatedVoucher(at: start)
  let outcome = try engine.redeem(request("DATED", items: cart, order: "sale-1"))
  #expect(outcome.redemption.amount == 1000)
  #expect(outcome.redemption.date == start)
}

@Test("at the expiration instant the voucher still redeems")
func atExpiration() throws {
  let (engine, _) = try engineWithDatedVoucher(at: end)
  let outcome = try engine.redeem(request("DATED", items: cart, order: "sale-1"))
  #expect(outcome.redemption.amount == 1000)
}

@Test("one millisecond after the expiration the voucher is refused as expired")
func afterExpiration() throws {
  let (engine, _) = try engineWithDatedVoucher(at: Day.shifted(end, milliseconds: 1))
  let reason = try validationRefusal(engine, request("DATED", items: cart))
  #expect(reason == .voucherExpired(expiredAt: end))
  #expect(reason?.key == "voucher_expired")
  #expect(
    refusal { try engine.redeem(request("DATED", items: cart)) } == .voucherExpired(expiredAt: end))
  #expect(
    CashierWords.sentence(for: try #require(reason), timeZone: utcZone)
      == "Expired on 20 Nov 2026.")
}

@Test("moving the clock turns a refused voucher into a valid one")
func clockMovesStatus() throws {
  let (engine, clock) = try engineWithDatedVoucher(at: Day.now)
  #expect(try validationRefusal(engine, request("DATED", items: cart)) != nil)
  clock.set(start)
  #expect(try validationRefusal(engine, request("DATED", items: cart)) == nil)
  clock.advance(by: 30 * 86_400)
  #expect(
    try validationRefusal(engine, request("DATED", items: cart))
      == .voucherExpired(expiredAt: end))
}

@Test("dates come back from the store exactly as they were written")
func datesRoundTrip() throws {
  let (engine, _) = try engineWithDatedVoucher(at: Day.now)
  let voucher = try #require(try engine.voucher(code: "DATED"))
  #expect(voucher.startDate == start)
  #expect(voucher.expirationDate == end)
  #expect(voucher.createdAt == Day.now)
}
