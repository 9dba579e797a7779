import Foundation
import Testing
import VoucherClient
import VoucherEngine

@testable import CashierUI

/// The 60-second rule with a manual clock: countdown, then checking, then only the order
/// check decides; no second redeem goes out before it.
@Suite("redeem deadline")
struct RedeemDeadlineTests {
  /// A till at the confirm step of Alice's sale, the redeem sent but not yet answered.
  func tillAwaitingRedeem() async throws -> (Till, RedemptionRequest) {
    let till = try Till()
    await till.aliceCartValidated()
    await till.press(.function(9))
    await till.press(.enter, running: false)
    let redeems = till.effects.compactMap { effect -> RedemptionRequest? in
      if case .redeem(let request, _) = effect { request } else { nil }
    }
    #expect(redeems.count == 1)
    #expect(redeems.first?.orderSourceId == "T01-test0001-0001")
    #expect(till.effects.last == .startDeadline(Till.start.addingTimeInterval(60)))
    return (till, try #require(redeems.first))
  }

  func redeemCount(_ till: Till) -> Int {
    till.effects.count { if case .redeem = $0 { true } else { false } }
  }

  @Test("the countdown runs, then the screen says it is checking, and only the check is sent")
  func countdownThenChecking() async throws {
    let (till, _) = try await tillAwaitingRedeem()
    await till.advance(by: 3)
    #expect(till.screen().contains("Redeeming… 57 s"))
    await till.advance(by: 56)
    #expect(till.screen().contains("Redeeming… 1 s"))
    let before = till.effects.count
    await till.advance(by: 1)
    #expect(till.screen().contains("No answer yet — checking whether it was used…"))
    #expect(Array(till.effects[before...]) == [.checkOrder("T01-test0001-0001")])
    // Keys and more time change nothing while the check is out.
    await till.press(.enter, .escape, .function(9), .function(10), running: false)
    await till.advance(by: 120)
    #expect(redeemCount(till) == 1)
    #expect(!till.state.isQuitting)
    #expect(!till.screen().lowercased().contains("fail"))
  }

  @Test("the check finds the redemption: the screen says redeemed with the receipt")
  func checkFindsRedemption() async throws {
    let (till, request) = try await tillAwaitingRedeem()
    // The redeem reached the engine; its answer is what got lost.
    _ = await till.runner.run(.redeem(request, deadline: Till.start.addingTimeInterval(60)))
    await till.advance(by: 60)
    #expect(till.screen().contains("checking whether it was used"))
    await till.send(.orderChecked(await checkOrder(till)))
    let screen = till.screen()
    #expect(screen.contains("Redeemed"))
    #expect(screen.contains("Amount to pay           233.10 SEK"))
    #expect(screen.contains("Discount                 25.90 SEK"))
    #expect(redeemCount(till) == 1)
  }

  @Test("the check finds nothing: not redeemed, and a retry reuses the order id")
  func checkFindsNothing() async throws {
    let (till, request) = try await tillAwaitingRedeem()
    await till.advance(by: 60)
    await till.send(.orderChecked(await checkOrder(till)))
    #expect(till.screen().contains("Not redeemed — safe to try again."))
    #expect(redeemCount(till) == 1)
    await till.press(.enter)
    #expect(redeemCount(till) == 2)
    let retries = till.effects.compactMap { effect -> RedemptionRequest? in
      if case .redeem(let retry, _) = effect { retry } else { nil }
    }
    #expect(retries.last == request)
    #expect(till.screen().contains("Redeemed"))
  }

  @Test("an answer arriving after the deadline is a real answer and is shown")
  func lateAnswerIsShown() async throws {
    let (till, request) = try await tillAwaitingRedeem()
    let late = await till.runner.run(.redeem(request, deadline: Till.start.addingTimeInterval(60)))
    await till.advance(by: 61)
    #expect(till.screen().contains("checking whether it was used"))
    await till.send(try #require(late), running: false)
    #expect(till.screen().contains("Redeemed"))
    // The check's answer, coming after, changes nothing.
    await till.send(.orderChecked(.success([])), running: false)
    #expect(till.screen().contains("Redeemed"))
    #expect(!till.screen().contains("Not redeemed"))
  }

  @Test("the client's own unknown outcome leads to the check, not to a failure")
  func unknownOutcomeIsChecked() async throws {
    let (till, _) = try await tillAwaitingRedeem()
    await till.send(
      .redeemResponded(.failure(.outcomeUnknown(orderSourceId: "T01-test0001-0001"))),
      running: false)
    #expect(till.effects.last == .checkOrder("T01-test0001-0001"))
    #expect(till.screen().contains("checking whether it was used"))
    // The timer firing afterwards does not send a second check.
    let before = till.effects.count
    await till.advance(by: 60)
    #expect(till.effects.count == before)
  }

  @Test("a check that cannot reach the backend stays unknown and checks again on Enter")
  func failedCheckStaysUnknown() async throws {
    let (till, _) = try await tillAwaitingRedeem()
    await till.advance(by: 60)
    await till.send(.orderChecked(.failure(.unreachable("down"))), running: false)
    let screen = till.screen()
    #expect(screen.contains("Not known yet whether it was used."))
    #expect(!screen.contains("Not redeemed"))
    await till.press(.enter, running: false)
    #expect(till.effects.last == .checkOrder("T01-test0001-0001"))
    #expect(redeemCount(till) == 1)
  }

  @Test("unreachable means the redeem never arrived: safe to try again")
  func unreachableIsNotRedeemed() async throws {
    let (till, _) = try await tillAwaitingRedeem()
    await till.send(.redeemResponded(.failure(.unreachable("no route"))), running: false)
    #expect(till.screen().contains("Not redeemed — safe to try again."))
  }

  func checkOrder(_ till: Till) async -> Result<[Redemption], ClientError> {
    guard case .orderChecked(let result)? = await till.runner.run(.checkOrder("T01-test0001-0001"))
    else { return .success([]) }
    return result
  }
}
