import Foundation
import TestSupport
import Testing
import VoucherClient
import VoucherEngine
import VoucherRESTClient
import VoucherServer

@testable import CashierUI

/// The till as it runs (state, reducer, effects through `EffectRunner`) on its REST client,
/// through a `FaultProxy`, to a live server over a real engine with the demo data; time is
/// the wall clock, moved on by ticks while a test waits for a screen.
final class NetworkTill {
  let engine: VoucherEngine
  let live: LiveServer
  let proxy: FaultProxy
  let client: RESTClient
  let runner: EffectRunner
  var state: AppState
  /// The demo data's own redemptions (its history).
  let pastRedemptions: Int

  /// - Parameters:
  ///   - redeemTimeout: the till's deadline for a redeem (60 s in a store).
  ///   - readTimeout: the client's for anything else.
  ///   - down: the endpoint does not answer when the till starts.
  init(redeemTimeout: TimeInterval = 4, readTimeout: TimeInterval = 4, down: Bool = false)
    async throws
  {
    engine = try freshEngine(clock: SystemClock())
    _ = try Catalog.load(from: packageRoot.appendingPathComponent("Assets/demo/demo.json"))
      .apply(to: engine, now: Date())
    pastRedemptions = try engine.counts().redemptions
    live = try LiveServer(engine: engine)
    proxy = try FaultProxy(upstreamPort: live.server.port)
    if down { proxy.stop() }
    let key = live.keys[.cashier]!
    client = RESTClient(
      baseURL: proxy.baseURL, appId: key.key.appId, token: key.token, readTimeout: readTimeout)
    // As voucher-pos starts on an endpoint: ask what it offers, then build the first screen.
    await client.discover()
    var session = Session(
      backend: proxy.baseURL.absoluteString, terminal: "T01", cashier: "Kim", role: .cashier,
      redeemTimeout: redeemTimeout, currency: "SEK", timeZone: TimeZone(identifier: "UTC")!,
      saleTag: "net00001")
    session.isRemote = true
    session.roleSource = .askingServer
    session.capabilities = client.capabilities
    runner = EffectRunner(client: client, journal: nil)
    state = AppState(session: session, now: Date())
  }

  deinit { proxy.stop() }

  /// Applies `action` at the wall clock's time and runs the effects it asks for, and theirs,
  /// except the deadline timer: `wait(for:)` ticks instead.
  func send(_ action: Action) async {
    var queue: [Action] = [.tick(Date()), action]
    while !queue.isEmpty {
      for effect in reduce(&state, queue.removeFirst()) {
        if case .startDeadline = effect { continue }
        if let result = await runner.run(effect) { queue.append(result) }
      }
    }
  }

  func press(_ keys: Key...) async {
    for key in keys { await send(.key(key)) }
  }

  func type(_ text: String) async {
    for character in text { await send(.key(.character(character))) }
  }

  /// The query typed whole, as a scanner types it: one search, not one per character.
  func search(_ query: String) async {
    await send(.queryEdited(query))
  }

  func screen() -> String {
    var canvas = Canvas(width: 80, height: 24)
    render(state, into: &canvas)
    return canvas.text
  }

  /// Ticks until the screen shows `text`, for at most `timeout` seconds.
  @discardableResult
  func wait(for text: String, timeout: TimeInterval = 30) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if screen().contains(text) { return true }
      await send(.tick(Date()))
      try? await Task.sleep(for: .milliseconds(50))
    }
    return screen().contains(text)
  }

  /// Redemptions the till's sales made in the engine behind the proxy.
  var redemptions: Int { ((try? engine.counts().redemptions) ?? -1) - pastRedemptions }
  /// Redeems the proxy passed on to the server.
  var redeemsSent: Int { proxy.passedOn("POST", "/v1/redemptions") }

  /// Alice found by her email (every Voucherify back end finds that), her first voucher in
  /// the cart with one line, validated: the confirm step is one F9 away.
  func aliceCartValidated() async {
    await search("alice@example.com")
    await wait(for: "Alice Example")
    await press(.enter)
    await press(.enter)
    await type("prod_1 1 259.00")
    await press(.enter, .function(5))
    await wait(for: "Valid. F9 redeems.")
  }

  /// F9, then Enter: the attempt goes out.
  func redeem() async {
    await press(.function(9))
    await press(.enter)
  }
}

/// The till's clients when the network or the gateway fails: the endpoint down at start, a
/// connection dropped after the server redeemed, a gateway's 5xx before or after the server,
/// answers later than the deadline, a body that is not JSON. Each time the till says what
/// happened in words, an outcome it does not know stays unknown until the fence settles it,
/// nothing is redeemed twice (counted in the engine behind the proxy), and the till works
/// again when the endpoint does.
@Suite("Network faults for the till's clients", .serialized)
struct NetworkFaultTests {
  static let redeemed = "Redeemed"
  static let notRedeemed = "Not redeemed — safe to try again."
  static let notKnown = "Not known yet whether it was used."

  @Test("the endpoint down at start: the till says it cannot be reached, and sells once it is back")
  func downAtStart() async throws {
    let till = try await NetworkTill(down: true)
    #expect(!(await till.client.isReachable()))
    await till.search("alice@example.com")
    #expect(
      await till.wait(for: "cannot be reached"), "the screen does not say so:\n\(till.screen())")
    #expect(!till.screen().contains("Alice Example"))
    // Neither the key's role nor what the server offers is known yet, and none is guessed.
    #expect(till.screen().contains("Kim (role …)"))
    #expect(!till.state.session.capabilities.listsDaysSales)
    try till.proxy.start()
    #expect(await till.client.isReachable())
    await till.search("alice@example.com")
    #expect(await till.wait(for: "Alice Example"), "\(till.screen())")
    // Its first answer has the till ask both.
    #expect(await till.wait(for: "Kim (cashier)"), "\(till.screen())")
    #expect(till.state.session.capabilities.listsDaysSales)
    #expect(till.state.session.capabilities.redeemGuarantee == .fence)
    await till.press(.enter, .enter)
    await till.type("prod_1 1 259.00")
    await till.press(.enter, .function(5))
    #expect(await till.wait(for: "Valid. F9 redeems."), "\(till.screen())")
    await till.redeem()
    #expect(await till.wait(for: Self.redeemed), "\(till.screen())")
    #expect(till.redemptions == 1)
    #expect(till.redeemsSent == 1)
  }

  @Test(
    "the connection dropped after the server redeemed: not known while the endpoint is down, then the fence finds it, once"
  )
  func droppedMidRedeem() async throws {
    let till = try await NetworkTill()
    await till.aliceCartValidated()
    till.proxy.set(.dropAnswer, "POST", "/v1/redemptions")
    // The question about the attempt finds the endpoint down.
    till.proxy.set(.statusInstead(503), "POST", "/v1/attempts")
    await till.redeem()
    #expect(await till.wait(for: Self.notKnown), "\(till.screen())")
    var screen = till.screen()
    #expect(screen.contains("The voucher system failed to answer: HTTP 503"), "\(screen)")
    #expect(!screen.contains("safe to try again"))
    #expect(!screen.contains(Self.redeemed))
    till.proxy.stop()
    #expect(await till.wait(for: "did not answer the question"), "\(till.screen())")
    #expect(!till.screen().contains("safe to try again"))
    // Enter only asks again: nothing is sent twice however often it is pressed.
    await till.press(.enter, .enter)
    #expect(till.redeemsSent == 1)
    till.proxy.clear()
    try till.proxy.start()
    #expect(await till.wait(for: Self.redeemed), "\(till.screen())")
    screen = till.screen()
    #expect(screen.contains("233.10"), "\(screen)")
    #expect(till.redemptions == 1)
    #expect(till.redeemsSent == 1)
  }

  @Test("500, 502, 503 and 504 after the server redeemed: the fence finds the redemption, one")
  func gatewayErrorsAfterTheServer() async throws {
    for status in [500, 502, 503, 504] {
      let till = try await NetworkTill()
      await till.aliceCartValidated()
      till.proxy.set(.statusAfterServer(status), "POST", "/v1/redemptions")
      await till.redeem()
      #expect(await till.wait(for: Self.redeemed), "\(status):\n\(till.screen())")
      #expect(till.redemptions == 1, "\(status)")
      #expect(till.redeemsSent == 1, "\(status)")
    }
  }

  @Test("a 502 that never reached the server: the fence closes the attempt; the retry redeems once")
  func gatewayErrorBeforeTheServer() async throws {
    let till = try await NetworkTill()
    await till.aliceCartValidated()
    till.proxy.set(.statusInstead(502), "POST", "/v1/redemptions")
    await till.redeem()
    #expect(await till.wait(for: Self.notRedeemed), "\(till.screen())")
    #expect(till.redemptions == 0)
    #expect(till.redeemsSent == 0)
    till.proxy.clear()
    await till.press(.enter)
    #expect(await till.wait(for: Self.redeemed), "\(till.screen())")
    #expect(till.redemptions == 1)
    #expect(till.redeemsSent == 1)
  }

  @Test("an answer held past the deadline: the fence finds the redemption the server made")
  func slowAnswer() async throws {
    let till = try await NetworkTill(redeemTimeout: 2)
    await till.aliceCartValidated()
    till.proxy.set(.holdAnswer, "POST", "/v1/redemptions")
    await till.redeem()
    #expect(await till.wait(for: Self.redeemed), "\(till.screen())")
    #expect(till.redemptions == 1)
    till.proxy.release()
    #expect(till.redeemsSent == 1)
  }

  @Test(
    "a request held past the deadline: the fence closes it, its late arrival changes nothing, the retry redeems once"
  )
  func slowRequest() async throws {
    let till = try await NetworkTill(redeemTimeout: 2)
    await till.aliceCartValidated()
    till.proxy.set(.holdRequest, "POST", "/v1/redemptions")
    await till.redeem()
    #expect(await till.wait(for: Self.notRedeemed), "\(till.screen())")
    #expect(till.redeemsSent == 0)
    // The stalled redeem reaches the server now: refused, as its attempt is closed.
    till.proxy.release()
    let deadline = Date().addingTimeInterval(20)
    while till.proxy.answered("POST", "/v1/redemptions") < 1, Date() < deadline {
      try await Task.sleep(for: .milliseconds(20))
    }
    #expect(till.proxy.answered("POST", "/v1/redemptions") == 1)
    #expect(till.redemptions == 0)
    #expect(till.screen().contains(Self.notRedeemed))
    till.proxy.clear()
    await till.press(.enter)
    #expect(await till.wait(for: Self.redeemed), "\(till.screen())")
    #expect(till.redemptions == 1)
    #expect(till.redeemsSent == 2)
  }

  @Test("a search answered later than the read deadline says so, and the next one is served")
  func slowRead() async throws {
    let till = try await NetworkTill(readTimeout: 1)
    till.proxy.set(.holdAnswer, "GET", "/v1/customers")
    await till.search("alice@example.com")
    #expect(await till.wait(for: "did not answer in time"), "\(till.screen())")
    till.proxy.clear()
    await till.search("alice@example.com")
    #expect(await till.wait(for: "Alice Example"), "\(till.screen())")
  }

  @Test("a body that is not JSON: a redeem is resolved through the fence, a search says so")
  func notJSON() async throws {
    let till = try await NetworkTill()
    till.proxy.set(.bodyAfterServer("<html>Welcome</html>"), "GET", "/v1/customers")
    await till.search("alice@example.com")
    #expect(await till.wait(for: "could not be read"), "\(till.screen())")
    till.proxy.clear()
    await till.search("alice@example.com")
    #expect(await till.wait(for: "Alice Example"), "\(till.screen())")
    await till.press(.enter, .enter)
    await till.type("prod_1 1 259.00")
    await till.press(.enter, .function(5))
    #expect(await till.wait(for: "Valid. F9 redeems."), "\(till.screen())")
    till.proxy.set(.bodyAfterServer("<html>Welcome</html>"), "POST", "/v1/redemptions")
    await till.redeem()
    #expect(await till.wait(for: Self.redeemed), "\(till.screen())")
    #expect(till.redemptions == 1)
    #expect(till.redeemsSent == 1)
  }

  @Test(
    "Voucherify's surface (no fence): a lost redeem stays not known while nothing is found, and is found when it exists"
  )
  func withoutFence() async throws {
    let engine = try freshEngine(clock: SystemClock())
    try engine.createVoucher(VoucherDraft(code: "NOFENCE-1", kind: .discount(.amount(100))))
    let live = try LiveServer(engine: engine, surface: .voucherifyOnly)
    let proxy = try FaultProxy(upstreamPort: live.server.port)
    defer { proxy.stop() }
    let key = live.keys[.cashier]!
    let client = RESTClient(
      baseURL: proxy.baseURL, appId: key.key.appId, token: key.token, readTimeout: 4)
    await client.discover()
    func request(_ order: String) -> RedemptionRequest {
      RedemptionRequest(
        codes: [CodeRequest("NOFENCE-1")], orderSourceId: order,
        items: [CartItem(sku: "p", quantity: 1, price: 1000)])
    }
    // Before the server: the outcome is unknown, and asking says so rather than "not made".
    proxy.set(.statusInstead(502), "POST", "/v1/redemptions")
    let lost = attempt(request("order-lost"))
    let error = await clientError { try await client.redeem(lost, deadline: Date() + 10) }
    #expect(error == .outcomeUnknown(orderSourceId: "order-lost"))
    guard case .unknown(let why) = try await client.resolve(lost) else {
      Issue.record("a redeem with no fence and nothing found is not known yet")
      return
    }
    #expect(why.contains("s more"), "\(why)")
    // After the server: the order's redemption is found.
    proxy.set(.statusAfterServer(504), "POST", "/v1/redemptions")
    let made = attempt(request("order-made"))
    #expect(
      await clientError { try await client.redeem(made, deadline: Date() + 10) }
        == .outcomeUnknown(orderSourceId: "order-made"))
    guard case .made = try await client.resolve(made) else {
      Issue.record("the redemption the server made was not found")
      return
    }
    #expect(try engine.counts().redemptions == 1)
  }
}
