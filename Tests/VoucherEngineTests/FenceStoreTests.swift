import Foundation
import Testing

@testable import VoucherEngine

private let fenceCart = [line("prod_1", 10000)]

@Test(
  "the fence returns what an attempt made, and asking again gives the same answer",
  arguments: StoreKind.allCases)
func fenceReturnsWhatWasMade(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  try engine.createVoucher(giftCard(balance: 5000, code: "GIFT"))
  let made = try engine.redeem(
    request("TEN", "GIFT", items: fenceCart, order: "attempt-1"), idempotencyKey: "attempt-1")

  #expect(try engine.closeAttempt(key: "attempt-1") == .made(made.redemption))
  #expect(try engine.closeAttempt(key: "attempt-1") == .made(made.redemption))
  // Closing twice is one close, logged once.
  #expect(try engine.closeAttempt(key: "attempt-2") == .closed)
  #expect(try engine.closeAttempt(key: "attempt-2") == .closed)
  #expect(try engine.events(subject: "attempt-2").map(\.kind) == ["attempt.closed"])
}

@Test(
  "the fence racing redeems of the same attempts: each attempt is made or closed, never both",
  arguments: StoreKind.allCases)
func fenceRacingRedeems(_ store: StoreKind) async throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  let attempts = (0..<40).map { "race-\($0)" }

  let fences = await withTaskGroup(of: (String, AttemptFence?).self) { group in
    for key in attempts {
      group.addTask {
        _ = try? engine.redeem(request("TEN", items: fenceCart, order: key), idempotencyKey: key)
        return (key, nil)
      }
      group.addTask { (key, try? engine.closeAttempt(key: key)) }
    }
    var answers: [String: AttemptFence] = [:]
    for await (key, fence) in group { if let fence { answers[key] = fence } }
    return answers
  }

  #expect(fences.count == attempts.count)
  for key in attempts {
    let landed = try engine.redemptions(RedemptionQuery(orderSourceId: key))
    switch fences[key] {
    case .made(let redemption): #expect(landed.map(\.id) == [redemption.id])
    case .closed: #expect(landed.isEmpty, "\(key) was closed but landed")
    case nil: Issue.record("no fence answer for \(key)")
    }
  }
  let voucher = try #require(try engine.voucher(code: "TEN"))
  #expect(voucher.redeemedQuantity == Int64(try engine.counts().redemptions))
}
