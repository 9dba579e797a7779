import Foundation
import Synchronization
import Testing
import VoucherAPI
import VoucherClient
import VoucherEngine
import VoucherRESTClient
import VoucherServer

private let cart = [CartItem(sku: "prod_1", quantity: 1, price: 10_000)]

@Suite("REST over the network")
struct NetworkTests {
  @Test("a redeem answered after its deadline is unknown, then resolved as redeemed, once")
  func timeoutPath() async throws {
    let engine = try freshEngine()
    try engine.createVoucher(
      VoucherDraft(code: "SLOW", kind: .discount(.amount(500)), quantity: 1))
    // The server commits, then holds its answer until the test lets it go: the client must
    // give up (unknown) while the answer is still held, whatever the machine's speed.
    let hold = DispatchSemaphore(value: 0)
    let released = Atomic<Bool>(false)
    let live = try LiveServer(engine: engine) { request, status in
      if request.method == "POST", request.path == "/v1/redemptions", status == 200 {
        _ = hold.wait(timeout: .now() + 30)
        released.store(true, ordering: .sequentiallyConsistent)
      }
    }
    defer { hold.signal() }
    let client = live.client(.cashier)
    // As the till does before its first screen: the half-second deadline is the redeem's.
    await client.discover()
    let request = RedemptionRequest(
      codes: [CodeRequest("SLOW")], orderSourceId: "sale-slow", items: cart)
    let error = await clientError {
      try await client.redeem(attempt(request), deadline: Date().addingTimeInterval(0.5))
    }
    #expect(error == .outcomeUnknown(orderSourceId: "sale-slow"))
    let answerWasStillHeld = !released.load(ordering: .sequentiallyConsistent)
    #expect(answerWasStillHeld, "the client waited for the held answer")
    hold.signal()
    let made = try await client.redemptions(ofOrder: "sale-slow")
    #expect(made.count == 1)
    #expect(made.first?.voucherCode == "SLOW")
    #expect(try engine.counts().redemptions == 1)
    #expect(try engine.voucher(code: "SLOW")?.redeemedQuantity == 1)
  }

  @Test("customers without a filter: every one, oldest first, a page at a time")
  func listsEveryCustomer() async throws {
    let engine = try freshEngine()
    for index in 1...5 {
      var draft = CustomerDraft()
      draft.sourceId = "listed-\(index)"
      _ = try engine.upsertCustomer(draft, actor: nil)
    }
    let live = try LiveServer(engine: engine)
    func page(_ number: Int) async throws -> RawAnswer {
      try await raw(
        "GET", URL(string: live.server.baseURL + "/v1/customers?limit=2&page=\(number)")!,
        // The whole list is support's; a cashier key lists only a search (AuthMatrixTests).
        headers: live.headers(.support))
    }
    var sourceIds: [String] = []
    for number in 1...3 {
      let answer = try await page(number)
      #expect(answer.status == 200)
      #expect(answer.json["total"] as? Int == 5)
      #expect(answer.json["has_more"] as? Bool == (number < 3))
      let customers = answer.json["customers"] as? [[String: Any]] ?? []
      sourceIds += customers.compactMap { $0["source_id"] as? String }
    }
    #expect(sourceIds == (1...5).map { "listed-\($0)" })
    let beyond = try await page(4)
    #expect(beyond.status == 200)
    #expect((beyond.json["customers"] as? [Any])?.isEmpty == true)
  }

  @Test("a server that is not there: unreachable, and a redeem is not unknown")
  func unreachable() async throws {
    // Bind and stop a server to get a port that nothing listens on.
    let live = try LiveServer(engine: try freshEngine())
    let client = live.client(.cashier, readTimeout: 3)
    live.server.stop()
    #expect(await !client.isReachable())
    let read = await clientError { try await client.voucher(code: "X") }
    guard case .unreachable = read else {
      Issue.record("expected unreachable, got \(String(describing: read))")
      return
    }
    let redeem = await clientError {
      try await client.redeem(
        attempt(RedemptionRequest(codes: [CodeRequest("X")], orderSourceId: "o", items: cart)),
        deadline: Date().addingTimeInterval(5))
    }
    guard case .unreachable = redeem else {
      Issue.record("expected unreachable, got \(String(describing: redeem))")
      return
    }
  }

  /// Both ways of serving: a thread per connection (0, the default) and a pool of 4 threads
  /// that the 16 connections share.
  @Test(
    "16 clients, 400 attempts on a quantity-10 voucher: exactly 10 succeed",
    arguments: [0, 4])
  func concurrentRedeems(serverThreads: Int) async throws {
    let engine = try freshEngine(clock: SystemClock())
    try engine.createVoucher(
      VoucherDraft(code: "TEN-USES", kind: .discount(.amount(100)), quantity: 10))
    let live = try LiveServer(engine: engine, threads: serverThreads)
    let results = await withTaskGroup(of: [Result<RedeemOutcome, ClientError>].self) { group in
      for worker in 0..<16 {
        let client = live.client(.cashier)
        group.addTask {
          var results: [Result<RedeemOutcome, ClientError>] = []
          for round in 0..<25 {
            let request = RedemptionRequest(
              codes: [CodeRequest("TEN-USES")], orderSourceId: "w\(worker)-\(round)",
              items: cart)
            do {
              let outcome = try await client.redeem(
                attempt(request), deadline: Date().addingTimeInterval(30))
              results.append(.success(outcome))
            } catch let error as ClientError {
              results.append(.failure(error))
            } catch {
              results.append(.failure(.backendFailed("\(error)")))
            }
          }
          return results
        }
      }
      var all: [Result<RedeemOutcome, ClientError>] = []
      for await part in group { all += part }
      return all
    }
    #expect(results.count == 400)
    let succeeded = results.filter { if case .success = $0 { true } else { false } }
    #expect(succeeded.count == 10)
    let refusedForQuantity = results.filter {
      if case .failure(.rejected(let refusal)) = $0, case .quantityExceeded = refusal.reason {
        return true
      }
      return false
    }
    #expect(refusedForQuantity.count == 390)
    #expect(try engine.counts().redemptions == 10)
    #expect(try engine.voucher(code: "TEN-USES")?.redeemedQuantity == 10)
  }
}

@Suite("Bad input gets a 4xx with the error object, and the server keeps serving")
struct BadInputTests {
  let live: LiveServer

  init() throws {
    let engine = try freshEngine()
    try engine.createVoucher(VoucherDraft(code: "OK10", kind: .discount(.amount(1000))))
    live = try LiveServer(engine: engine)
  }

  private func url(_ path: String) -> URL { URL(string: live.server.baseURL + path)! }

  private func post(_ path: String, _ body: String, role: APIRole = .admin) async throws
    -> RawAnswer
  {
    try await raw("POST", url(path), headers: live.headers(role), body: Data(body.utf8))
  }

  @Test("malformed JSON, wrong types, huge numbers, unknown fields")
  func malformedBodies() async throws {
    let cases: [(String, String)] = [
      ("/v1/validations", #"{"redeemables": [{"object": "voucher", "id": "OK10"}"#),
      ("/v1/validations", #"[1, 2, 3]"#),
      ("/v1/validations", #"{"redeemables": [{"id": 10}], "order": {"amount": 100}}"#),
      ("/v1/validations", #"{"redeemables": "OK10", "order": {"amount": 100}}"#),
      ("/v1/validations", #"{"redeemables": [{"id": "OK10"}], "order": {"amount": 1e30}}"#),
      (
        "/v1/validations",
        #"{"redeemables": [{"id": "OK10"}], "order": {"amount": 99999999999999999999999}}"#
      ),
      ("/v1/validations", #"{"redeemables": [{"id": "OK10"}], "order": {"amount": 12.5}}"#),
      (
        "/v1/validations",
        #"{"redeemables": [{"id": "OK10"}], "order": {"amount": 100}, "ordr": 1}"#
      ),
      ("/v1/redemptions", #"{"redeemables": [], "order": {"amount": 100}}"#),
      (
        "/v1/vouchers/NEW1",
        #"{"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 1e300}}"#
      ),
      (
        "/v1/vouchers/NEW2",
        #"{"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 12.345}}"#
      ),
      (
        "/v1/vouchers/NEW3",
        #"{"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": -5}}"#
      ),
      ("/v1/vouchers/NEW4", #"{"type": "GIFT_VOUCHER", "gift": {"amount": "lots"}}"#),
      ("/v1/customers", #"{"email": "not an email"}"#),
      ("/v1/vouchers/OK10/balance", #"{"amount": 5}"#),
    ]
    for (path, body) in cases {
      let answer = try await post(path, body)
      #expect(answer.status == 400, "\(path) \(body)")
      #expect(answer.isErrorObject, "\(path) \(body): \(answer.json)")
      #expect(answer.errorKey == "invalid_payload", "\(path) \(body)")
    }
    // Malformed JSON is located for the client's developer; a repeated member is refused.
    let cut = try await post("/v1/validations", #"{"redeemables": [{"id": "OK10"}"#)
    #expect(
      cut.json["details"] as? String
        == "the body is not valid JSON: unexpected end of the body at byte 31")
    let twice = try await post(
      "/v1/validations", #"{"redeemables": [{"id": "A"}], "redeemables": [{"id": "B"}]}"#)
    #expect(twice.status == 400)
    #expect((twice.json["details"] as? String)?.contains("duplicate member “redeemables”") == true)
    // A percent with two decimals is fine, and exact.
    let exact = try await post(
      "/v1/vouchers/EXACT",
      #"{"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 12.35}}"#)
    #expect(exact.status == 200)
    #expect(
      try live.engine.voucher(code: "EXACT")?.kind
        == .discount(.percent(basisPoints: 1235, amountLimit: nil)))
    try await stillServing()
  }

  @Test("a 2 MiB body is refused with 413")
  func tooLarge() async throws {
    let padding = String(repeating: "x", count: 2 * 1024 * 1024)
    let answer = try await post("/v1/validations", #"{"pad": ""# + padding + #""}"#)
    #expect(answer.status == 413)
    #expect(answer.isErrorObject)
    #expect(answer.errorKey == "payload_too_large")
    try await stillServing()
  }

  @Test("oversized headers are refused")
  func hugeHeaders() async throws {
    var headers = live.headers(.cashier)
    headers["X-Padding"] = String(repeating: "y", count: 100_000)
    let answer = try await raw("GET", url("/v1/vouchers/OK10"), headers: headers)
    #expect((400..<500).contains(answer.status))
    try await stillServing()
  }

  @Test("unknown routes 404, wrong methods 405")
  func routes() async throws {
    for path in ["/v1/nothing", "/v2/vouchers", "/v1/vouchers/OK10/explode", "/"] {
      let answer = try await raw("GET", url(path), headers: live.headers(.admin))
      #expect(answer.status == 404, "\(path)")
      #expect(answer.isErrorObject, "\(path)")
    }
    let wrong = try await raw("PATCH", url("/v1/vouchers/OK10"), headers: live.headers(.admin))
    #expect(wrong.status == 405)
    #expect(wrong.isErrorObject)
    try await stillServing()
  }

  @Test("missing and wrong keys 401, wrong role 403")
  func authentication() async throws {
    let path = url("/v1/vouchers/OK10")
    let none = try await raw("GET", path)
    #expect(none.status == 401)
    #expect(none.isErrorObject)
    let cashier = live.keys[.cashier]!
    let wrongToken = try await raw(
      "GET", path, headers: ["X-App-Id": cashier.key.appId, "X-App-Token": cashier.token + "0"])
    #expect(wrongToken.status == 401)
    #expect(wrongToken.errorKey == "unauthorized")
    let bearer = try await raw(
      "GET", path, headers: ["Authorization": "Bearer \(cashier.key.appId):\(cashier.token)"])
    #expect(bearer.status == 200)

    let redeemed = try await post(
      "/v1/redemptions",
      #"{"redeemables": [{"object": "voucher", "id": "OK10"}], "order": {"source_id": "s1", "amount": 5000}}"#,
      role: .cashier)
    #expect(redeemed.status == 200)
    let redemptionId = try #require(
      (redeemed.json["redemptions"] as? [[String: Any]])?.first?["id"] as? String)
    let rollback = try await post(
      "/v1/redemptions/\(redemptionId)/rollback", #"{"reason": "x"}"#, role: .cashier)
    #expect(rollback.status == 403)
    #expect(rollback.isErrorObject)
    #expect(rollback.errorKey == "forbidden")
    let create = try await post(
      "/v1/vouchers/NEW", #"{"type": "GIFT_VOUCHER", "gift": {"amount": 100}}"#, role: .support)
    #expect(create.status == 403)
    let allowed = try await post(
      "/v1/redemptions/\(redemptionId)/rollback", #"{"reason": "x"}"#, role: .support)
    #expect(allowed.status == 200)

    try live.engine.revokeAPIKey(appId: cashier.key.appId)
    let revoked = try await raw("GET", path, headers: live.headers(.cashier))
    #expect(revoked.status == 401)
    try await stillServing()
  }

  @Test("Idempotency-Key on redeem and rollback replays the first answer")
  func idempotencyKeys() async throws {
    let body =
      #"{"redeemables": [{"object": "voucher", "id": "OK10"}], "order": {"source_id": "k1", "amount": 5000}}"#
    var headers = live.headers(.support)
    headers["Idempotency-Key"] = "key-1"
    let first = try await raw(
      "POST", url("/v1/redemptions"), headers: headers, body: Data(body.utf8))
    let second = try await raw(
      "POST", url("/v1/redemptions"), headers: headers, body: Data(body.utf8))
    #expect(first.status == 200)
    #expect(second.json["replayed"] as? Bool == true)
    let id = try #require((first.json["redemptions"] as? [[String: Any]])?.first?["id"] as? String)
    #expect((second.json["redemptions"] as? [[String: Any]])?.first?["id"] as? String == id)
    headers["Idempotency-Key"] = "rb-1"
    let rollback = Data(#"{"reason": "returned"}"#.utf8)
    let undo = try await raw(
      "POST", url("/v1/redemptions/\(id)/rollback"), headers: headers, body: rollback)
    let undoAgain = try await raw(
      "POST", url("/v1/redemptions/\(id)/rollback"), headers: headers, body: rollback)
    #expect(undo.status == 200)
    #expect(undoAgain.status == 200)
    #expect(undo.json["id"] as? String == undoAgain.json["id"] as? String)
    headers["Idempotency-Key"] = "bad key with spaces"
    let bad = try await raw(
      "POST", url("/v1/redemptions"), headers: headers, body: Data(body.utf8))
    #expect(bad.status == 400)
  }

  private func stillServing() async throws {
    let health = try await raw("GET", url("/health"))
    #expect(health.status == 200)
    #expect(health.json["status"] as? String == "ok")
    let voucher = try await raw("GET", url("/v1/vouchers/ok10"), headers: live.headers(.admin))
    #expect(voucher.status == 200)
    #expect(voucher.json["code"] as? String == "OK10")
  }
}
