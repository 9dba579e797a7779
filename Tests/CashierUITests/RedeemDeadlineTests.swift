import Foundation
import Testing
import VoucherClient
import VoucherEngine

@testable import CashierUI

/// The 60-second rule with a manual clock: countdown, then asking the back end about the
/// attempt; "not redeemed" only after the fence closed it, "redeemed" only with a
/// redemption, and "not known yet" (asked again and again) otherwise.
@Suite("redeem deadline")
struct RedeemDeadlineTests {
  static let order = "T01-test0001-0001"
  static let firstKey = "T01-test0001-0001.1"

  /// A till at the confirm step of Alice's sale, the redeem effect emitted but not run
  /// (stalled on its way to the engine).
  func tillAwaitingRedeem() async throws -> (Till, JournalAttempt) {
    let till = try Till()
    await till.aliceCartValidated()
    await till.press(.function(9))
    await till.press(.enter, running: false)
    let redeems = sentRedeems(till)
    #expect(redeems.count == 1)
    #expect(redeems.first?.attempt.orderSourceId == Self.order)
    #expect(redeems.first?.attempt.key == Self.firstKey)
    #expect(
      till.effects.last == .startDeadline(attempt: Self.firstKey, Till.start.addingTimeInterval(60))
    )
    return (till, try #require(redeems.first))
  }

  func sentRedeems(_ till: Till) -> [JournalAttempt] {
    till.effects.compactMap { if case .redeem(let entry, _) = $0 { entry } else { nil } }
  }

  @Test("the countdown runs, then the till asks about the attempt, and sends nothing else")
  func countdownThenAsking() async throws {
    let (till, entry) = try await tillAwaitingRedeem()
    await till.advance(by: 3)
    #expect(till.screen().contains("Redeeming… 57 s"))
    await till.advance(by: 56)
    #expect(till.screen().contains("Redeeming… 1 s"))
    let before = till.effects.count
    await till.advance(by: 1)
    #expect(till.screen().contains("No answer yet — asking whether it was used…"))
    #expect(Array(till.effects[before...]) == [.resolve(entry.attempt)])
    // Keys and more time change nothing while the question is out.
    await till.press(.enter, .escape, .function(9), .function(2), .function(3), running: false)
    await till.advance(by: 120)
    #expect(sentRedeems(till).count == 1)
    #expect(till.state.route == .redeem)
    #expect(!till.state.isQuitting)
    #expect(!till.screen().lowercased().contains("fail"))
  }

  @Test("the redeem landed before the fence: the fence says made, the screen says redeemed")
  func fenceFindsRedemption() async throws {
    let (till, entry) = try await tillAwaitingRedeem()
    let past = try till.engine.counts().redemptions
    // The redeem reached the engine; its answer is what got lost.
    _ = await till.runner.run(.redeem(entry, deadline: Till.start.addingTimeInterval(60)))
    await till.advance(by: 60)
    await till.send(.resolved(attempt: Self.firstKey, await resolve(till, entry)))
    let screen = till.screen()
    #expect(screen.contains("Redeemed"))
    #expect(screen.squeezed.contains("Amount to pay 233.10 SEK"))
    #expect(try till.engine.counts().redemptions == past + 1)
    #expect(till.state.sale.isFinished)
  }

  @Test("the fence closes a stalled attempt: not redeemed, and its late redeem changes nothing")
  func fenceClosesStalledAttempt() async throws {
    let (till, entry) = try await tillAwaitingRedeem()
    let past = try till.engine.counts().redemptions
    await till.advance(by: 60)
    await till.send(.resolved(attempt: Self.firstKey, await resolve(till, entry)))
    #expect(till.screen().contains("Not redeemed — safe to try again."))
    // The stalled redeem arrives now: refused by the fence, nothing made, screen unchanged.
    let late = await till.runner.run(.redeem(entry, deadline: Till.start.addingTimeInterval(60)))
    #expect(
      late
        == .redeemResponded(
          attempt: Self.firstKey,
          .failure(.rejected(Refusal(code: nil, reason: .attemptClosed(key: Self.firstKey))))))
    await till.send(late!, running: false)
    #expect(till.screen().contains("Not redeemed — safe to try again."))
    #expect(try till.engine.counts().redemptions == past)
    // A retry is a new attempt on the same order; it is made once.
    await till.press(.enter)
    let retries = sentRedeems(till)
    #expect(retries.map(\.attempt.key) == [Self.firstKey, "T01-test0001-0001.2"])
    #expect(retries.last?.attempt.orderSourceId == Self.order)
    #expect(till.screen().contains("Redeemed"))
    #expect(try till.engine.counts().redemptions == past + 1)
  }

  @Test("a question that gets no answer leaves it not known, asked again with a growing wait")
  func askingFailsStaysUnknown() async throws {
    let (till, entry) = try await tillAwaitingRedeem()
    await till.advance(by: 60)
    await till.send(
      .resolved(attempt: Self.firstKey, .failure(.unreachable("down"))), running: false)
    var screen = till.screen()
    #expect(screen.contains("Not known yet whether it was used."))
    #expect(screen.contains("Asking again in 1 s"))
    #expect(!screen.contains("safe to try again"))
    #expect(!screen.lowercased().contains("try again"))
    let before = till.effects.count
    await till.advance(by: 1)
    #expect(Array(till.effects[before...]) == [.resolve(entry.attempt)])
    await till.send(.resolved(attempt: Self.firstKey, .failure(.timedOut)), running: false)
    screen = till.screen()
    #expect(screen.contains("Asking again in 2 s"))
    // Enter asks at once.
    let now = till.effects.count
    await till.press(.enter, running: false)
    #expect(Array(till.effects[now...]) == [.resolve(entry.attempt)])
    #expect(sentRedeems(till).count == 1)
  }

  @Test("a back end's own 'not known yet' is shown as such")
  func backendSaysUnknown() async throws {
    let (till, _) = try await tillAwaitingRedeem()
    await till.advance(by: 60)
    await till.send(
      .resolved(attempt: Self.firstKey, .success(.unknown("Still within its 30 s."))),
      running: false)
    #expect(till.screen().contains("Still within its 30 s."))
    #expect(till.state.redeem?.isPending == true)
  }

  @Test("a late answer still wins while the question is out")
  func lateAnswerWins() async throws {
    let (till, entry) = try await tillAwaitingRedeem()
    await till.advance(by: 60)
    let late = await till.runner.run(.redeem(entry, deadline: Till.start.addingTimeInterval(600)))
    await till.send(late!, running: false)
    #expect(till.screen().contains("Redeemed"))
  }

  @Test("an answer about an earlier attempt is not taken for the current one")
  func staleAnswerIgnored() async throws {
    let (till, entry) = try await tillAwaitingRedeem()
    await till.advance(by: 60)
    await till.send(.resolved(attempt: Self.firstKey, await resolve(till, entry)))
    await till.press(.enter, running: false)  // attempt 2 is out
    await till.send(.resolved(attempt: Self.firstKey, .success(.notMade)), running: false)
    await till.send(
      .redeemResponded(attempt: Self.firstKey, .failure(.outcomeUnknown(orderSourceId: ""))),
      running: false)
    guard case .redeeming = till.state.redeem?.phase else {
      Issue.record("attempt 2 should still be redeeming: \(till.screen())")
      return
    }
  }

  @Test("an unreachable redeem is asked about before 'not redeemed' is said")
  func unreachableIsAskedAbout() async throws {
    let (till, entry) = try await tillAwaitingRedeem()
    await till.send(
      .redeemResponded(attempt: Self.firstKey, .failure(.unreachable("no route"))),
      running: false)
    #expect(till.effects.last == .resolve(entry.attempt))
    #expect(till.screen().contains("asking whether it was used"))
  }

  @Test("quit while unknown asks, then quits keeping the sale unresolved")
  func quitWhileUnknown() async throws {
    let (till, _) = try await tillAwaitingRedeem()
    await till.advance(by: 60)
    await till.send(.resolved(attempt: Self.firstKey, .failure(.timedOut)), running: false)
    await till.press(.function(10), running: false)
    #expect(!till.state.isQuitting)
    #expect(till.screen().contains("keeps the sale in the journal"))
    await till.press(.escape, running: false)
    #expect(till.state.question == nil)
    await till.press(.function(10), .function(10), running: false)
    #expect(till.state.isQuitting)
    #expect(till.state.quitsUnresolved)
  }

  func resolve(_ till: Till, _ entry: JournalAttempt) async -> Result<
    AttemptResolution, ClientError
  > {
    guard case .resolved(_, let result)? = await till.runner.run(.resolve(entry.attempt)) else {
      return .failure(.backendFailed("no answer"))
    }
    return result
  }
}

/// The rule for back ends with no fence: waiting out their own limit.
@Suite("waiting out a back end without a fence")
struct WaitingOutTests {
  let attempt = RedeemAttempt(
    key: "o.1",
    request: RedemptionRequest(codes: [CodeRequest("A")], orderSourceId: "o", items: []),
    sentAt: Date(timeIntervalSince1970: 1_000))

  @Test("nothing found within the limit is not known yet; after it, not made")
  func waitsOut() {
    let early = AttemptResolution.waitingOut(
      found: [], attempt: attempt, limit: 30, now: Date(timeIntervalSince1970: 1_020))
    guard case .unknown(let why) = early else {
      Issue.record("expected unknown, got \(early)")
      return
    }
    #expect(why.contains("10 s more"))
    #expect(
      AttemptResolution.waitingOut(
        found: [], attempt: attempt, limit: 30, now: Date(timeIntervalSince1970: 1_030))
        == .notMade)
  }
}
