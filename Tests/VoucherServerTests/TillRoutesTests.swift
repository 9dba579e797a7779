import Foundation
import Testing
import VoucherClient
import VoucherEngine
import VoucherRESTClient

@testable import VoucherServer

/// What a till needs of our server beyond Voucherify's routes: the key's role for the
/// status bar, a voucher's history for its detail, and a cashier's void of the till's last
/// sale within the window (any other void is support's).
@Suite("the till's routes: me, history, a cashier's void")
struct TillRoutesTests {
  /// A server whose engine clock is manual, with WELCOME (10 uses) and two sales on till
  /// T01 a minute apart, the second the last.
  func dayAtTill(window: TimeInterval = 600) async throws -> (
    live: LiveServer, clock: ManualClock, sales: [Redemption]
  ) {
    let clock = ManualClock(testNow)
    let engine = try freshEngine(clock: clock)
    var welcome = VoucherDraft(code: "WELCOME", kind: .discount(.amount(1000)))
    welcome.quantity = 10
    try engine.createVoucher(welcome)
    let live = try LiveServer(engine: engine, cashierVoidWindow: window)
    var sales: [Redemption] = []
    for number in 1...2 {
      let sale = RedemptionRequest(
        codes: [CodeRequest("WELCOME")], orderSourceId: "T01-sale-\(number)",
        items: [CartItem(sku: "prod_1", quantity: 1, price: 10_000)],
        channel: Channel(terminal: "T01", cashier: "Kim"))
      sales.append(try engine.redeem(sale).redemption)
      clock.advance(by: 60)
    }
    return (live, clock, sales)
  }

  @Test("GET /v1/me answers the key's name and role; the REST client reads it")
  func me() async throws {
    let (live, _, _) = try await dayAtTill()
    for role in APIRole.allCases {
      let client = live.client(role)
      await client.discover()
      #expect(try await client.grantedRole() == role)
    }
    let answer = try await raw(
      "GET", live.baseURL.appendingPathComponent("v1/me"), headers: live.headers(.cashier))
    #expect(answer.status == 200)
    #expect(answer.json["role"] as? String == "cashier")
    #expect(answer.json["name"] as? String == "test cashier")
  }

  @Test("a server that has not answered yet: its role is not known (thrown), never 'none'")
  func roleOfASilentServer() async throws {
    // A port nothing listens on: bind one, note it, close it.
    let (live, _, _) = try await dayAtTill()
    let port = live.server.port
    live.server.stop()
    let key = live.keys[.cashier]!
    let client = RESTClient(
      baseURL: URL(string: "http://127.0.0.1:\(port)")!, appId: key.key.appId, token: key.token,
      readTimeout: 2)
    let error = await clientError { try await client.grantedRole() }
    guard case .unreachable? = error else {
      Issue.record("expected unreachable, got \(String(describing: error))")
      return
    }
    // A server of Voucherify's surface only answers, and has no way to say: nil.
    let voucherifyOnly = try LiveServer(engine: try freshEngine(), surface: .voucherifyOnly)
    let strict = voucherifyOnly.client(.cashier)
    #expect(try await strict.grantedRole() == nil)
  }

  @Test("a voucher's history over REST is what the engine holds, newest first")
  func history() async throws {
    let (live, _, sales) = try await dayAtTill()
    let support = live.client(.support)
    await support.discover()
    _ = try await support.void(redemptionId: sales[1].id, reason: "Wrong card", by: "Sam")
    let cashier = live.client(.cashier)
    await cashier.discover()
    let entries = try #require(try await cashier.history(code: "welcome"))
    #expect(entries == (try live.engine.history(code: "WELCOME")))
    #expect(entries.map(\.kind) == [.givenBack, .redeemed, .redeemed])
    #expect(entries[0].why == "Wrong card" && entries[0].who == "Sam")
    #expect(entries[1].terminal == "T01" && entries[1].order == "T01-sale-2")
    #expect(try await cashier.history(code: "NOPE") == nil)
  }

  @Test("a cashier key voids its till's last sale within the window, and nothing else")
  func cashierVoid() async throws {
    let (live, clock, sales) = try await dayAtTill()
    let cashier = live.client(.cashier)
    await cashier.discover()
    // Not the last sale: support's.
    let older = await clientError {
      try await cashier.void(redemptionId: sales[0].id, reason: "Returned", by: "Kim")
    }
    guard case .notAllowed(let why)? = older else {
      Issue.record("expected a refusal, got \(String(describing: older))")
      return
    }
    #expect(why.contains("only the till's last sale"))
    let voided = try await cashier.void(redemptionId: sales[1].id, reason: "Returned", by: "Kim")
    #expect(voided.count == 1)
    // The voided one no longer stands: the older one is now the till's last sale, as the
    // till's own rule says.
    #expect(
      try await cashier.void(redemptionId: sales[0].id, reason: "Returned", by: "Kim").count == 1)
    // A new sale, then past the window.
    let late = RedemptionRequest(
      codes: [CodeRequest("WELCOME")], orderSourceId: "T01-sale-3",
      items: [CartItem(sku: "prod_1", quantity: 1, price: 10_000)],
      channel: Channel(terminal: "T01", cashier: "Kim"))
    let third = try live.engine.redeem(late).redemption
    clock.advance(by: 601)
    let tooLate = await clientError {
      try await cashier.void(redemptionId: third.id, reason: "Returned", by: "Kim")
    }
    guard case .notAllowed(let lateWhy)? = tooLate else {
      Issue.record("expected a refusal, got \(String(describing: tooLate))")
      return
    }
    #expect(lateWhy.contains("only within 10 minutes of the sale"))
    // Support voids any.
    let support = live.client(.support)
    await support.discover()
    #expect(try await support.void(redemptionId: third.id, reason: "Late", by: "Sam").count == 1)
  }

  @Test("a cashier key lists its till's sales of the day (the F7 screen), not every till's")
  func cashierListsTheTillsSales() async throws {
    let (live, clock, sales) = try await dayAtTill()
    let cashier = live.client(.cashier)
    await cashier.discover()
    let listed = try await cashier.sales(
      terminal: "T01", from: testNow.addingTimeInterval(-60), to: clock.now())
    #expect(Set(listed.map(\.id)) == Set(sales.map(\.id)))
    let all = try await raw(
      "GET", live.baseURL.appendingPathComponent("v1/redemptions"),
      headers: live.headers(.cashier))
    #expect(all.status == 403)
  }

  @Test("a cashier key may not void a sale made at no till")
  func noTill() async throws {
    let (live, _, _) = try await dayAtTill()
    let sale = try live.engine.redeem(
      RedemptionRequest(
        codes: [CodeRequest("WELCOME")], orderSourceId: "web-1",
        items: [CartItem(sku: "prod_1", quantity: 1, price: 10_000)])
    ).redemption
    let answer = try await raw(
      "POST", live.baseURL.appendingPathComponent("v1/redemptions/\(sale.id)/rollback"),
      headers: live.headers(.cashier), body: Data(#"{"reason":"x"}"#.utf8))
    #expect(answer.status == 403)
    #expect((answer.json["details"] as? String)?.contains("made at no till") == true)
  }
}
