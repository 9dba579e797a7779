import Foundation
import PlainClient
import PlainServer
import Testing
import VoucherClient
import VoucherEngine

@Suite("The plain voucher API: its contract over serve, and the till's client")
struct PlainAPITests {
  private func url(_ live: DialectServer, _ path: String, _ query: [String: String] = [:]) -> URL {
    var components = URLComponents(
      url: live.plainURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
    if !query.isEmpty {
      components.queryItems = query.sorted { $0.key < $1.key }.map {
        URLQueryItem(name: $0.key, value: $0.value)
      }
    }
    return components.url!
  }

  @Test("create, validate, apply, get, list with filters, put, soft delete, errors")
  func contract() async throws {
    let live = try DialectServer()
    let admin = live.plainHeaders(.admin)
    let created = try await rawWithHeaders(
      "POST", url(live, "vouchers"), headers: admin,
      json: [
        "code": "SAVE25", "type": "fixed", "value": 25.5,
        "conditions": [
          "min_order_value": 100, "max_uses": 2, "valid_from": "2026-01-01T00:00:00Z",
          "valid_until": "2026-12-31T23:59:59Z", "product_ids": [],
          "excluded_product_ids": ["gift"],
        ],
      ])
    #expect(created.status == 201)
    let voucher = jsonObject(created.body)
    for field in [
      "id", "code", "type", "value", "conditions", "status", "usage_count", "created_at",
      "updated_at",
    ] {
      #expect(voucher[field] != nil, "missing \(field)")
    }
    #expect(voucher["value"] as? Double == 25.5)
    #expect(voucher["status"] as? String == "active")
    #expect(voucher["created_at"] as? String == "2026-11-03T10:00:00.000Z")
    let id = try #require(voucher["id"] as? String)
    _ = try await rawWithHeaders(
      "POST", url(live, "vouchers"), headers: admin,
      json: ["code": "TENPC", "type": "percentage", "value": 10])

    let order: [String: Any] = [
      "value": 150, "currency": "SEK", "items": [["id": "p1", "price": 75, "quantity": 2]],
    ]
    let validated = try await rawWithHeaders(
      "POST", url(live, "vouchers/validate"), headers: live.plainHeaders(.cashier),
      json: ["code": "save25", "order": order])
    let validation = jsonObject(validated.body)
    #expect(validation["is_valid"] as? Bool == true)
    #expect(validation["discount_amount"] as? Double == 25.5)
    #expect(validation["final_amount"] as? Double == 124.5)
    #expect(
      validation["validation_details"] as? [String: Bool] == [
        "min_order_value_met": true, "usage_limit_not_exceeded": true, "valid_date_range": true,
      ])
    let small = try await rawWithHeaders(
      "POST", url(live, "vouchers/validate"), headers: live.plainHeaders(.cashier),
      json: ["code": "SAVE25", "order": ["value": 50]])
    #expect(jsonObject(small.body)["is_valid"] as? Bool == false)
    #expect(
      (jsonObject(small.body)["error"] as? [String: Any])?["code"] as? String
        == "MIN_ORDER_VALUE_NOT_MET")

    let applied = try await rawWithHeaders(
      "POST", url(live, "vouchers/apply"), headers: live.plainHeaders(.cashier),
      json: ["code": "SAVE25", "order_id": "order-1", "order": order])
    #expect(applied.status == 201)
    let application = jsonObject(applied.body)
    #expect(application["order_id"] as? String == "order-1")
    #expect(application["discount_amount"] as? Double == 25.5)
    #expect((application["voucher"] as? [String: Any])?["code"] as? String == "SAVE25")
    let replay = try await rawWithHeaders(
      "POST", url(live, "vouchers/apply"), headers: live.plainHeaders(.cashier),
      json: ["code": "SAVE25", "order_id": "order-1", "order": order])
    #expect(replay.status == 200)
    #expect(jsonObject(replay.body)["id"] as? String == application["id"] as? String)

    let detail = jsonObject(
      try await rawWithHeaders("GET", url(live, "vouchers/\(id)"), headers: admin).body)
    #expect(detail["usage_count"] as? Int == 1)
    let history = try #require(detail["usage_history"] as? [[String: Any]])
    #expect(history.map { $0["order_id"] as? String } == ["order-1"])

    let all = jsonObject(
      try await rawWithHeaders("GET", url(live, "vouchers"), headers: admin).body)
    #expect(all["total"] as? Int == 2)
    #expect(all["limit"] as? Int == 10)
    #expect(all["has_more"] as? Bool == false)
    let percent = jsonObject(
      try await rawWithHeaders(
        "GET", url(live, "vouchers", ["type": "percentage", "limit": "1"]), headers: admin
      ).body)
    #expect((percent["data"] as? [[String: Any]])?.map { $0["code"] as? String } == ["TENPC"])
    let page = jsonObject(
      try await rawWithHeaders(
        "GET", url(live, "vouchers", ["limit": "1", "offset": "0"]), headers: admin
      ).body)
    #expect(page["has_more"] as? Bool == true)
    let none = jsonObject(
      try await rawWithHeaders(
        "GET", url(live, "vouchers", ["created_before": "2026-01-01T00:00:00Z"]), headers: admin
      ).body)
    #expect(none["total"] as? Int == 0)
    let tooMany = try await rawWithHeaders(
      "GET", url(live, "vouchers", ["limit": "101"]), headers: admin)
    #expect(tooMany.status == 400)
    let tooManyError = try #require(jsonObject(tooMany.body)["error"] as? [String: Any])
    #expect(tooManyError["code"] as? String == "INVALID_REQUEST")
    #expect((tooManyError["details"] as? [[String: String]])?.first?["field"] == "limit")

    let immutable = try await rawWithHeaders(
      "PUT", url(live, "vouchers/\(id)"), headers: admin, json: ["code": "OTHER", "value": 30])
    #expect(immutable.status == 400)
    #expect(
      ((jsonObject(immutable.body)["error"] as? [String: Any])?["details"] as? [[String: String]])?
        .first?["field"] == "code")
    let changed = try await rawWithHeaders(
      "PUT", url(live, "vouchers/\(id)"), headers: admin,
      json: ["value": 30, "status": "inactive", "conditions": ["max_uses": 5]])
    #expect(changed.status == 200)
    let after = jsonObject(changed.body)
    #expect(after["value"] as? Double == 30)
    #expect(after["status"] as? String == "inactive")
    #expect((after["conditions"] as? [String: Any])?["max_uses"] as? Int == 5)
    #expect((after["conditions"] as? [String: Any])?["min_order_value"] == nil)
    #expect(after["code"] as? String == "SAVE25")
    let inactive = try await rawWithHeaders(
      "POST", url(live, "vouchers/apply"), headers: live.plainHeaders(.cashier),
      json: ["code": "SAVE25", "order_id": "order-2", "order": order])
    #expect(inactive.status == 422)
    #expect(
      (jsonObject(inactive.body)["error"] as? [String: Any])?["code"] as? String
        == "VOUCHER_INACTIVE")

    let deleted = try await rawWithHeaders("DELETE", url(live, "vouchers/\(id)"), headers: admin)
    #expect(deleted.status == 200)
    #expect(jsonObject(deleted.body)["id"] as? String == id)
    #expect(jsonObject(deleted.body)["deleted_at"] as? String == "2026-11-03T10:00:00.000Z")
    let gone = try await rawWithHeaders("GET", url(live, "vouchers/\(id)"), headers: admin)
    #expect(gone.status == 404)
    #expect(
      (jsonObject(gone.body)["error"] as? [String: Any])?["code"] as? String == "VOUCHER_NOT_FOUND")
    // Soft: kept for audit, its redemption and its events stay.
    #expect(try live.engine.events(subject: id).map(\.kind).contains("voucher.deleted"))
    #expect(try live.engine.counts().redemptions == 1)

    let unknownField = try await rawWithHeaders(
      "POST", url(live, "vouchers"), headers: admin,
      json: ["code": "X1", "type": "fixed", "value": 1, "colour": "red"])
    #expect(
      ((jsonObject(unknownField.body)["error"] as? [String: Any])?["details"]
        as? [[String: String]])?.first?["field"] == "colour")
    let missing = try await rawWithHeaders(
      "POST", url(live, "vouchers"), headers: admin, json: ["type": "fixed", "value": 1])
    #expect(
      ((jsonObject(missing.body)["error"] as? [String: Any])?["details"] as? [[String: String]])?
        .first?["field"] == "code")
    let noKey = try await rawWithHeaders("GET", url(live, "vouchers"))
    #expect(noKey.status == 401)
    #expect(
      (jsonObject(noKey.body)["error"] as? [String: Any])?["code"] as? String == "MISSING_API_KEY")
    let cashierList = try await rawWithHeaders(
      "GET", url(live, "vouchers"), headers: live.plainHeaders(.cashier))
    #expect(cashierList.status == 403)
  }

  @Test("16 tills applying one code to one order at once make exactly one application")
  func concurrentApply() async throws {
    let live = try DialectServer()
    try live.engine.createVoucher(
      VoucherDraft(code: "ONCE", kind: .discount(.amount(1000)), quantity: 100))
    let target = url(live, "vouchers/apply")
    let headers = live.plainHeaders(.cashier)
    let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
      for _ in 0..<16 {
        group.addTask {
          let answer = try await rawWithHeaders(
            "POST", target, headers: headers,
            json: ["code": "ONCE", "order_id": "order-16", "order": ["value": 100]])
          return (answer.status, jsonObject(answer.body)["id"] as? String ?? "")
        }
      }
      var all: [(Int, String)] = []
      for try await answer in group { all.append(answer) }
      return all
    }
    #expect(answers.count == 16)
    #expect(answers.filter { $0.0 == 201 }.count == 1)
    #expect(answers.filter { $0.0 == 200 }.count == 15)
    #expect(Set(answers.map(\.1)).count == 1)
    #expect(try live.engine.counts().redemptions == 1)
    #expect(try live.engine.voucher(code: "ONCE")?.redeemedQuantity == 1)
  }

  @Test("rate limits per key: X-RateLimit-* on every answer, 429 past the limit")
  func rateLimits() async throws {
    var limits = PlainRateLimits()
    limits.read = 2
    limits.apply = 1
    let live = try DialectServer(plainLimits: limits)
    let target = url(live, "vouchers/NOPE")
    var answers: [(status: Int, body: Data, headers: [String: String])] = []
    for _ in 0..<3 {
      answers.append(
        try await rawWithHeaders("GET", target, headers: live.plainHeaders(.cashier)))
    }
    #expect(answers.map(\.status) == [404, 404, 429])
    #expect(answers.map { $0.headers["x-ratelimit-limit"] } == ["2", "2", "2"])
    #expect(answers.map { $0.headers["x-ratelimit-remaining"] } == ["1", "0", "0"])
    let reset = try #require(answers[2].headers["x-ratelimit-reset"].flatMap { Int64($0) })
    let now = Int64(Date().timeIntervalSince1970)
    #expect(reset > now - 1 && reset <= now + 61)
    #expect(answers[2].headers["retry-after"] != nil)
    #expect(
      (jsonObject(answers[2].body)["error"] as? [String: Any])?["code"] as? String
        == "RATE_LIMIT_EXCEEDED")
    // Per key: another key still reads; per route: this key still validates.
    #expect(
      try await rawWithHeaders("GET", target, headers: live.plainHeaders(.support)).status == 404)
    let validate = try await rawWithHeaders(
      "POST", url(live, "vouchers/validate"), headers: live.plainHeaders(.cashier),
      json: ["code": "NOPE", "order": ["value": 1]])
    #expect(validate.status == 404)
    #expect(validate.headers["x-ratelimit-limit"] == "200")
  }

  @Test("the till's client: lookup, server validation, idempotent apply, resolve, no un-redeem")
  func client() async throws {
    let live = try DialectServer()
    var ten = VoucherDraft(
      code: "TEN10", kind: .discount(.percent(basisPoints: 1000, amountLimit: nil)))
    ten.quantity = 1
    try live.engine.createVoucher(ten)
    var half = VoucherDraft(code: "HALF", kind: .discount(.amount(2000)))
    half.minOrderAmount = 10_000
    try live.engine.createVoucher(half)
    let client = live.plain(.cashier)
    #expect(client.capabilities.redeemGuarantee == .idempotentApply)
    #expect(client.capabilities.unRedeem == .none)
    #expect(await client.isReachable())
    #expect(try await client.voucher(code: " ten10\n")?.code == "TEN10")
    #expect(try await client.voucher(code: "NOPE") == nil)

    let cart = [CartItem(sku: "prod_1", quantity: 1, price: 25900)]
    let sale = RedemptionRequest(
      codes: [CodeRequest("TEN10")], customer: "shop-42", orderSourceId: "sale-1", items: cart,
      channel: Channel(terminal: "T02", cashier: "Kim"))
    let checked = try await client.validate(sale)
    #expect(checked.valid)
    #expect(checked.discountAmount == 2590)
    #expect(checked.totalAmount == 23310)
    let small = try await client.validate(
      RedemptionRequest(
        codes: [CodeRequest("HALF")], items: [CartItem(sku: "p", quantity: 2, price: 1000)]))
    #expect(
      small.redeemables.first?.refusal == .orderBelowMinimum(minimum: 10_000, orderAmount: 2000))
    #expect(
      try await client.validate(RedemptionRequest(codes: [CodeRequest("NO")], items: cart))
        .redeemables.first?.refusal == .notFound(code: "NO"))

    let first = try await client.redeem(attempt(sale), deadline: Date().addingTimeInterval(120))
    #expect(!first.isReplay)
    #expect(first.redemption.amount == 2590)
    #expect(first.redemption.order.totalAmount == 23310)
    // A till that never heard the answer applies again: the same application, not a second.
    #expect(try await client.resolve(attempt(sale, 2)) == .made(first.redemption))
    #expect(try live.engine.counts().redemptions == 1)
    #expect(try live.engine.customer("shop-42") != nil)
    let other = await clientError {
      try await client.redeem(
        attempt(
          RedemptionRequest(codes: [CodeRequest("TEN10")], orderSourceId: "sale-2", items: cart)),
        deadline: Date().addingTimeInterval(120))
    }
    #expect(other == .rejected(Refusal(code: "TEN10", reason: .quantityExceeded(lastUse: nil))))
    let history = try #require(try await client.history(code: "ten10"))
    #expect(history.map(\.order) == ["sale-1"])
    #expect(history.map(\.amount) == [2590])
    #expect(history.map(\.kind) == [.redeemed])
    let back = await clientError {
      try await client.reactivate(code: "TEN10", reason: "returned", by: nil)
    }
    #expect(back == .notAllowed("this voucher system cannot give a use back"))
  }
}
