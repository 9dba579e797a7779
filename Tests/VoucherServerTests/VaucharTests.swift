import Foundation
import Testing
import VaucharClient
import VaucharServer
import VaucharWire
import VoucherClient
import VoucherEngine

@Suite("Vauchar: served routes against its schemas, and the till's client against serve")
struct VaucharTests {
  @Test("every route's body fits Vauchar's schemas; money as decimal strings, times in Unix s")
  func routesAgainstSchemas() async throws {
    let live = try DialectServer()
    let base = live.baseURL
    let create: [String: Any] = [
      "count": 2, "start_time": 0, "expiry_time": 1_798_718_400, "value": "50.00",
      "value_unit": "fixed", "currency": "SEK", "tag": "autumn",
    ]
    let created = try await rawWithHeaders(
      "POST", base.appendingPathComponent("vouchers"), headers: live.basic(.admin), json: create)
    #expect(created.status == 201)
    let vouchers = try #require(
      try JSONSerialization.jsonObject(with: created.body) as? [[String: Any]])
    #expect(vouchers.count == 2)
    let first = vouchers[0]
    #expect(first["value"] as? String == "50.00")
    #expect(first["expiry_time"] as? Int == 1_798_718_400)
    #expect(first["created"] as? Int == Int(testNow.timeIntervalSince1970))
    #expect(first["redeemed"] as? Int == 0)
    let id = try #require(first["id"] as? String)
    let code = try #require(first["voucher_code"] as? String)

    let list = try await rawWithHeaders(
      "GET", base.appendingPathComponent("vouchers"), headers: live.basic(.support))
    #expect(jsonObject(list.body)["count"] as? Int == 2)
    var components = URLComponents(
      url: base.appendingPathComponent("vouchers/validate"), resolvingAgainstBaseURL: false)!
    components.queryItems = [URLQueryItem(name: "voucher_code", value: code)]
    let validation = try await rawWithHeaders(
      "GET", components.url!, headers: live.basic(.cashier))
    #expect(
      (jsonObject(validation.body)["validation_status"] as? [String: Any])?["status"] as? Int
        == 1000)
    let byId = try await rawWithHeaders(
      "GET", base.appendingPathComponent("vouchers/\(id)/validate"), headers: live.basic(.cashier))
    #expect(byId.status == 200)

    let redeem: [String: Any] = [
      "user_id": "shop-user-7", "user_email": "seven@example.com", "transaction_id": "T-1",
      "value_used": 40.5,
    ]
    let made = try await rawWithHeaders(
      "POST", base.appendingPathComponent("vouchers/\(id)/redemptions"),
      headers: live.basic(.cashier), json: redeem)
    #expect(made.status == 201)
    let redemption = jsonObject(made.body)
    #expect(redemption["value_used"] as? String == "40.50")
    #expect(redemption["transaction_id"] as? String == "T-1")
    #expect(redemption["user_id"] as? String == "shop-user-7")
    #expect(redemption["user_email"] as? String == "seven@example.com")
    let again = try await rawWithHeaders(
      "GET", components.url!, headers: live.basic(.cashier))
    #expect(
      (jsonObject(again.body)["validation_status"] as? [String: Any])?["status"] as? Int == 1002)
    #expect((jsonObject(again.body)["data"] as? [String: Any])?["redeemed"] as? Int == 1)
    let listed = try await rawWithHeaders(
      "GET", base.appendingPathComponent("vouchers/\(id)/redemptions"),
      headers: live.basic(.cashier))
    #expect((jsonObject(listed.body)["data"] as? [Any])?.count == 1)

    let refused = try await rawWithHeaders(
      "POST", base.appendingPathComponent("vouchers/\(id)/redemptions"),
      headers: live.basic(.cashier), json: ["user_id": "x", "transaction_id": "T-2"])
    #expect(refused.status == 400)
    #expect(jsonObject(refused.body)["error"] as? String == "quantity_exceeded")
    let unknown = try await rawWithHeaders(
      "GET", base.appendingPathComponent("vouchers/v_nope/redemptions"),
      headers: live.basic(.cashier))
    #expect(unknown.status == 404)
    let noAuth = try await rawWithHeaders("GET", base.appendingPathComponent("vouchers"))
    #expect(noAuth.status == 401)
    let wrong = try await rawWithHeaders(
      "GET", base.appendingPathComponent("vouchers"),
      headers: ["Authorization": "Basic " + Data("m:wrong".utf8).base64EncodedString()])
    #expect(wrong.status == 401)
    let cashierCreates = try await rawWithHeaders(
      "POST", base.appendingPathComponent("vouchers"), headers: live.basic(.cashier),
      json: create)
    #expect(cashierCreates.status == 403)

    try await expectValid([
      (try JSONSerialization.data(withJSONObject: create), "vauchar-voucher-create-request.json"),
      (created.body, "vauchar-voucher-create-response.json"),
      (list.body, "vauchar-voucher-list.json"),
      (validation.body, "vauchar-validation-response.json"),
      (byId.body, "vauchar-validation-response.json"),
      (again.body, "vauchar-validation-response.json"),
      (
        try JSONSerialization.data(withJSONObject: redeem), "vauchar-redemption-create-request.json"
      ),
      (made.body, "vauchar-redemption.json"),
      (listed.body, "vauchar-redemption-list.json"),
      (refused.body, "vauchar-error.json"), (unknown.body, "vauchar-error.json"),
      (noAuth.body, "vauchar-error.json"),
    ])
  }

  @Test("the till's client: code lookup, the till's validation, redeem, found by transaction id")
  func client() async throws {
    let live = try DialectServer()
    try live.engine.createVoucher(
      VoucherDraft(
        code: "TEN10", kind: .discount(.percent(basisPoints: 1000, amountLimit: nil)), quantity: 1))
    let client = live.vauchar(.cashier)
    #expect(client.capabilities.contactSearch.isEmpty)
    #expect(client.capabilities.unRedeem == .delete)
    #expect(await client.isReachable())
    #expect(try await client.voucher(code: " ten10\n")?.code == "TEN10")
    #expect(try await client.voucher(code: "NOPE") == nil)

    let cart = [CartItem(sku: "prod_1", quantity: 1, price: 25900)]
    let request = RedemptionRequest(
      codes: [CodeRequest("TEN10")], customer: "alice@example.com", orderSourceId: "sale-1",
      items: cart, channel: Channel(terminal: "T02", cashier: "Kim"))
    let checked = try await client.validate(request)
    #expect(checked.valid)
    #expect(checked.discountAmount == 2590)
    #expect(checked.totalAmount == 23310)
    let two = await clientError {
      try await client.validate(
        RedemptionRequest(codes: [CodeRequest("TEN10"), CodeRequest("B")], items: cart))
    }
    #expect(
      two
        == .rejected(
          Refusal(code: "B", reason: .invalidPayload("Vauchar takes one voucher per sale"))))

    let tryOne = attempt(request)
    // Nothing sent yet: not found, and never "not made".
    guard case .unknown = try await client.resolve(tryOne) else {
      Issue.record("a redemption not found must stay unknown")
      return
    }
    let outcome = try await client.redeem(tryOne, deadline: Date().addingTimeInterval(120))
    #expect(outcome.redemption.amount == 2590)
    #expect(outcome.redemption.order.sourceId == "sale-1")
    #expect(try await client.resolve(tryOne) == .made(outcome.redemption))
    let stored = try #require(try live.engine.redemption(id: outcome.redemption.id))
    #expect(stored.amount == 2590)
    #expect(try live.engine.customer("alice@example.com")?.sourceId == "alice@example.com")

    let used = try await client.validate(request)
    #expect(used.redeemables.first?.refusal == .quantityExceeded(lastUse: nil))
  }

  @Test("deleting the redemption gives the use back")
  func deleteGivesTheUseBack() async throws {
    let live = try DialectServer()
    try live.engine.createVoucher(
      VoucherDraft(code: "FIVE", kind: .discount(.amount(500)), quantity: 1))
    let cart = [CartItem(sku: "p", quantity: 1, price: 2000)]
    let request = RedemptionRequest(
      codes: [CodeRequest("FIVE")], orderSourceId: "sale-5", items: cart)
    let made = try await live.vauchar(.cashier).redeem(
      attempt(request), deadline: Date().addingTimeInterval(120))
    #expect(made.redemption.amount == 500)
    #expect(try live.engine.voucher(code: "FIVE")?.status(at: testNow) == .used)
    let cashierTries = await clientError {
      try await live.vauchar(.cashier).reactivate(code: "FIVE", reason: "returned", by: "Omar")
    }
    #expect({ if case .notAllowed = cashierTries { true } else { false } }())
    let rollback = try await live.vauchar(.support).reactivate(
      code: "five", reason: "returned", by: "Omar")
    #expect(rollback.redemptionId == made.redemption.id)
    #expect(try live.engine.voucher(code: "FIVE")?.status(at: testNow) == .active)
    #expect(try live.engine.redemption(id: made.redemption.id)?.status == .rolledBack)
    // The use can be spent again, on another sale.
    let again = RedemptionRequest(
      codes: [CodeRequest("FIVE")], orderSourceId: "sale-6", items: cart)
    #expect(
      try await live.vauchar(.cashier).redeem(
        attempt(again), deadline: Date().addingTimeInterval(120)
      )
      .redemption.amount == 500)
  }

  @Test("value_used becomes an order on which the voucher gives exactly that much")
  func orderAmount() throws {
    let percent = Voucher.restored(
      id: "v", code: "P", campaign: nil,
      kind: .discount(.percent(basisPoints: 1250, amountLimit: nil)), currency: "SEK",
      holderId: nil, startDate: nil, expirationDate: nil, active: true, quantity: 1,
      redeemedQuantity: 0, perCustomer: nil, minOrderAmount: nil, applicableTo: [],
      inapplicableTo: [], reactivationLimit: 0, reactivationCount: 0, metadata: [:],
      createdAt: testNow, updatedAt: testNow)
    for used: Int64 in [1, 7, 99, 3237, 100_000] {
      let price = try #require(try VaucharDialect.orderAmount(giving: used, with: percent))
      #expect(Money.percent(of: price, basisPoints: 1250) == used)
    }
    #expect(try VaucharDialect.orderAmount(giving: nil, with: percent) == nil)
  }
}
