import Foundation
import Testing
import VoucherAPI
import VoucherEngine
import VoucherServer

/// What serve takes and refuses on Voucherify's routes, over HTTP.
@Suite("Voucherify's surface: bodies, filters, sessions, strict mode")
struct VoucherifySurfaceTests {
  let live: LiveServer

  init() throws {
    live = try LiveServer(engine: try freshEngine())
  }

  private func call(
    _ method: String, _ path: String, _ body: String? = nil, role: APIRole = .admin,
    on server: LiveServer? = nil, headers extra: [String: String] = [:]
  ) async throws -> RawAnswer {
    let server = server ?? live
    return try await raw(
      method, URL(string: server.server.baseURL + path)!,
      headers: server.headers(role).merging(extra) { $1 }, body: body.map { Data($0.utf8) })
  }

  @Test("a wrong kind of number names its member, and only an amount is said to be in minor units")
  func wrongNumbers() async throws {
    func details(_ item: String) async throws -> String {
      let answer = try await call(
        "POST", "/v1/validations",
        #"{"redeemables": [{"object": "voucher", "id": "ANY"}], "order": {"items": [\#(item)]}}"#)
      #expect(answer.status == 400)
      return answer.json["details"] as? String ?? ""
    }
    let quantity = try await details(#"{"product_id": "p", "quantity": "two", "price": 100}"#)
    #expect(quantity == "order.items[0].quantity must be a whole number")
    let price = try await details(#"{"product_id": "p", "quantity": 2, "price": "1.00"}"#)
    #expect(price == "order.items[0].price must be a whole number (minor units)")
  }

  @Test(
    "null is absent at any depth, metadata comes back as sent, and every unknown or unsupported name is listed"
  )
  func bodies() async throws {
    let made = try await call(
      "POST", "/v1/vouchers/NULLS",
      #"{"type": "DISCOUNT_VOUCHER", "code": null, "loyalty_card": null, "validation_rules": null, "#
        + #""discount": {"type": "AMOUNT", "amount_off": 500, "amount_off_formula": null, "effect": null}, "#
        + #""redemption": {"quantity": null}, "metadata": {"n": 1.50, "list": [null, true], "x": null}}"#
    )
    #expect(made.status == 200, "\(made.json)")
    #expect(
      String(decoding: made.body, as: UTF8.self).contains(
        #""metadata":{"n":1.50,"list":[null,true],"x":null}"#))
    let refused = try await call(
      "POST", "/v1/vouchers/NOPE",
      #"{"type": "DISCOUNT_VOUCHER", "colour": "red", "validation_rules": ["val_1"], "#
        + #""discount": {"type": "AMOUNT", "amount_off": 1, "amount_off_formula": "x", "shade": 2, "effect": "APPLY_TO_ITEMS"}}"#
    )
    #expect(refused.status == 400)
    #expect(refused.errorKey == "invalid_payload")
    #expect(
      refused.json["details"] as? String
        == "unknown fields colour, discount.shade; unsupported fields validation_rules, "
        + "discount.amount_off_formula, discount.effect=APPLY_TO_ITEMS: this server does not "
        + "implement them")
    // A required field sent as null is required.
    let missing = try await call("POST", "/v1/vouchers/NOPE/balance", #"{"amount": null}"#)
    #expect(missing.json["details"] as? String == "amount is required")
  }

  @Test(
    "PUT accepts a field that cannot change when it is unchanged, and names the ones that would")
  func unchangeable() async throws {
    _ = try await call(
      "POST", "/v1/vouchers/SAME",
      #"{"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 5}}"#)
    let same = try await call(
      "PUT", "/v1/vouchers/SAME",
      #"{"type": "DISCOUNT_VOUCHER", "code": "same", "validity_day_of_week": [1, 2], "category": "x"}"#
    )
    #expect(same.status == 200, "\(same.json)")
    #expect(same.json["validity_day_of_week"] as? [Int] == [1, 2])
    let changed = try await call(
      "PUT", "/v1/vouchers/SAME", #"{"type": "GIFT_VOUCHER", "currency": "EUR"}"#)
    #expect(changed.status == 400)
    #expect(
      (changed.json["details"] as? String)?.hasPrefix("type, currency cannot be changed") == true)
  }

  @Test("a filter that is unknown or not implemented is refused, never ignored")
  func filters() async throws {
    let unknown = try await call("GET", "/v1/vouchers?colour=red&limit=5&shade=1")
    #expect(unknown.status == 400)
    #expect(unknown.errorKey == "invalid_query_params")
    #expect(unknown.json["details"] as? String == "unknown query parameters colour, shade")
    let customer = try live.engine.upsertCustomer(CustomerDraft(sourceId: "c-1"))
    let unsupported = try await call(
      "GET",
      "/v1/customers/\(customer.id)/redeemables?filters[voucher_type][conditions][$is]=GIFT_VOUCHER"
    )
    #expect(unsupported.status == 400)
    #expect(
      unsupported.json["details"] as? String
        == "unsupported filter filters[voucher_type][conditions][$is]: this server does not implement it"
    )
    let order = try await call("GET", "/v1/redemptions?order=-colour")
    #expect(order.errorKey == "invalid_query_params")
  }

  @Test("a session lock held by one till refuses another till over HTTP until it is released")
  func sessionOverHTTP() async throws {
    _ = try await call(
      "POST", "/v1/vouchers/LOCKED",
      #"{"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 5}, "redemption": {"quantity": 1}}"#
    )
    let body = { (key: String) in
      #"{"redeemables": [{"object": "voucher", "id": "LOCKED"}], "order": {"amount": 1000}, "#
        + #""session": {"type": "LOCK", "key": "\#(key)", "ttl": 10, "ttl_unit": "MINUTES"}}"#
    }
    let first = try await call("POST", "/v1/validations", body("till-1"), role: .cashier)
    #expect(first.json["valid"] as? Bool == true)
    let session = try #require(first.json["session"] as? [String: Any])
    #expect(session["key"] as? String == "till-1")
    #expect(session["ttl"] as? Int == 600)
    let second = try await call("POST", "/v1/validations", body("till-2"), role: .cashier)
    #expect(second.json["valid"] as? Bool == false)
    let error = try #require(
      ((second.json["redeemables"] as? [[String: Any]])?.first?["result"] as? [String: Any])?[
        "error"] as? [String: Any])
    #expect(error["key"] as? String == "multiple_requests")
    let redeem = try await call(
      "POST", "/v1/redemptions",
      #"{"redeemables": [{"object": "voucher", "id": "LOCKED"}], "order": {"amount": 1000, "source_id": "o-2"}}"#,
      role: .cashier)
    #expect(redeem.status == 409)
    #expect(redeem.errorKey == "multiple_requests")
    let released = try await call("DELETE", "/v1/vouchers/LOCKED/sessions/till-1", role: .cashier)
    #expect(released.status == 204)
    let third = try await call("POST", "/v1/validations", body("till-2"), role: .cashier)
    #expect(third.json["valid"] as? Bool == true)
  }

  @Test("the full surface advertises its extensions; --voucherify-only serves none of them")
  func surfaces() async throws {
    let advertised = try await call("GET", "/v1/vouchers")
    #expect(
      advertised.headers["x-voucher-engine-capabilities"]
        == APISurface.capabilities.joined(separator: ", "))
    #expect(APISurface.capabilities.contains("fence"))
    let health = try await raw("GET", URL(string: live.server.baseURL + "/health")!)
    #expect(health.json["capabilities"] as? [String] == APISurface.capabilities)

    let strict = try LiveServer(engine: try freshEngine(), surface: .voucherifyOnly)
    let plain = try await call("GET", "/v1/vouchers", on: strict)
    #expect(plain.status == 200)
    #expect(plain.headers["x-voucher-engine-capabilities"] == nil)
    #expect(try await raw("GET", URL(string: strict.server.baseURL + "/health")!).status == 401)
    #expect(try await call("GET", "/health", on: strict).status == 404)
    #expect(
      try await call("POST", "/v1/vouchers/X/reactivate", #"{"reason": "r"}"#, on: strict).status
        == 404)
    #expect(try await call("POST", "/v1/attempts/k-1/close", on: strict).status == 404)
    let search = try await call("GET", "/v1/customers?q=ann", on: strict)
    #expect(search.errorKey == "invalid_query_params")
    let member = try await call(
      "POST", "/v1/customers", #"{"source_id": "m", "member_number": "7"}"#, on: strict)
    #expect(member.json["details"] as? String == "unknown field member_number")
    let channel = try await call(
      "POST", "/v1/validations",
      #"{"redeemables": [{"id": "A"}], "order": {"amount": 1}, "channel": {"terminal": "t"}}"#,
      on: strict)
    #expect(channel.json["details"] as? String == "unknown field channel")
    // Answers carry Voucherify's members only.
    let made = try await call(
      "POST", "/v1/vouchers/STRICT",
      #"{"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 5}, "metadata": {"rules": 1}}"#,
      on: strict)
    #expect(made.status == 200)
    for name in ["currency", "reactivation", "rules"] { #expect(made.json[name] == nil, "\(name)") }
    #expect((made.json["metadata"] as? [String: Any])?["rules"] as? Int == 1)
    #expect((made.json["redemption"] as? [String: Any])?["per_customer"] == nil)
    let refused = try await call("GET", "/v1/vouchers/NONE", on: strict)
    #expect(refused.status == 404)
    #expect(refused.json["context"] == nil)
  }
}
