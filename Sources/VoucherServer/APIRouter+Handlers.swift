import Foundation
import VoucherAPI
import VoucherEngine

extension APIRouter {
  // MARK: Customers

  func listCustomers(_ request: HTTPRequest) throws -> HTTPResponse {
    let limit = try integer(request, "limit", in: 1...100) ?? 20
    let page = try integer(request, "page", in: 1...1_000_000) ?? 1
    var found: [Customer]
    if let email = request.query("email") {
      found = try engine.customer(email).map { [$0] } ?? []
    } else if let text = request.query("phone") ?? request.query("q") ?? request.query("name") {
      found = try engine.findCustomers(text, limit: min(page * limit, 1000))
    } else {
      // No filter: every customer, oldest first, as Voucherify lists them.
      let listed = try engine.customers(page: page, limit: limit)
      return APIResponder.json(
        WireCustomerList(
          customers: listed.customers.map(WireCustomer.init), total: listed.total,
          hasMore: page * limit < listed.total))
    }
    let total = found.count
    found = Array(found.dropFirst((page - 1) * limit).prefix(limit))
    return APIResponder.json(
      WireCustomerList(customers: found.map(WireCustomer.init), total: total))
  }

  func createCustomer(_ request: HTTPRequest, _ caller: Caller) throws -> HTTPResponse {
    let body = try decode(
      WireCustomerCreate.self, request,
      known: ["source_id", "name", "email", "phone", "member_number", "metadata"],
      ignored: WireCustomerCreate.ignoredFields)
    let customer = try engine.upsertCustomer(body.draft, actor: caller.key.name)
    return APIResponder.json(WireCustomer(customer))
  }

  func customer(_ request: HTTPRequest, _ reference: String) throws -> HTTPResponse {
    guard let customer = try engine.customer(reference) else {
      throw Refusal(code: nil, reason: .customerNotFound(reference: reference))
    }
    return APIResponder.json(WireCustomer(customer))
  }

  func redeemables(_ request: HTTPRequest, _ reference: String) throws -> HTTPResponse {
    let page = try engine.vouchers(
      of: reference, filter: try filter(request),
      page: try integer(request, "page", in: 1...1_000_000) ?? 1,
      limit: try integer(request, "limit", in: 1...100) ?? 50)
    guard let customer = try engine.customer(reference) else {
      throw Refusal(code: nil, reason: .customerNotFound(reference: reference))
    }
    return APIResponder.json(WireCustomerRedeemableList(page, customerId: customer.id))
  }

  // MARK: Vouchers

  func listVouchers(_ request: HTTPRequest) throws -> HTTPResponse {
    let limit = try integer(request, "limit", in: 1...100) ?? 10
    let page = try integer(request, "page", in: 1...1_000_000) ?? 1
    let now = engine.clock.now()
    if let customer = request.query("customer") {
      let found = try engine.vouchers(
        of: customer, filter: try filter(request), page: page, limit: limit)
      let counts = Dictionary(
        uniqueKeysWithValues: VoucherFilter.allCases.map { ($0.rawValue, found.counts[$0] ?? 0) })
      return APIResponder.json(
        WireVoucherList(
          vouchers: found.items.map { WireVoucher($0.voucher, status: $0.status) },
          total: found.total, page: page, limit: limit, counts: counts))
    }
    if let code = request.query("code") {
      let found = try engine.voucher(code: code).map { [$0] } ?? []
      return APIResponder.json(
        WireVoucherList(
          vouchers: found.map { WireVoucher($0, status: $0.status(at: now)) }, total: found.count,
          page: 1, limit: limit, counts: nil))
    }
    let found = try engine.listVouchers(limit: limit, page: page)
    return APIResponder.json(
      WireVoucherList(
        vouchers: found.map { WireVoucher($0, status: $0.status(at: now)) },
        total: try engine.counts().vouchers, page: page, limit: limit, counts: nil))
  }

  func voucher(_ request: HTTPRequest, _ code: String) throws -> HTTPResponse {
    let voucher = try existingVoucher(code)
    return APIResponder.json(WireVoucher(voucher, status: voucher.status(at: engine.clock.now())))
  }

  func createVoucher(_ request: HTTPRequest, _ caller: Caller, code: String?) throws
    -> HTTPResponse
  {
    let body = try decode(
      WireVoucherCreate.self, request, known: Self.voucherFields,
      ignored: WireVoucherCreate.ignoredFields)
    let draft = try body.draft(pathCode: code, defaultCurrency: engine.defaultCurrency)
    let voucher = try engine.createVoucher(draft, actor: caller.key.name)
    return APIResponder.json(WireVoucher(voucher, status: voucher.status(at: engine.clock.now())))
  }

  func updateVoucher(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> HTTPResponse
  {
    let body = try decode(
      WireVoucherCreate.self, request, known: Self.voucherFields,
      ignored: WireVoucherCreate.ignoredFields)
    let voucher = try engine.updateVoucher(code: code, try body.changes(), actor: caller.key.name)
    return APIResponder.json(WireVoucher(voucher, status: voucher.status(at: engine.clock.now())))
  }

  func deleteVoucher(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> HTTPResponse
  {
    try engine.deleteVoucher(code: code, actor: caller.key.name)
    return HTTPResponse(status: 204, body: Data())
  }

  func setActive(_ request: HTTPRequest, _ caller: Caller, _ code: String, _ active: Bool) throws
    -> HTTPResponse
  {
    try requireEmptyOrObject(request)
    let voucher = try engine.setVoucherActive(code: code, active, actor: caller.key.name)
    return APIResponder.json(WireVoucher(voucher, status: voucher.status(at: engine.clock.now())))
  }

  func addBalance(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> HTTPResponse
  {
    let body = try decode(WireBalanceRequest.self, request, known: ["amount"], ignored: [])
    let voucher = try engine.addGiftBalance(code: code, amount: body.amount, actor: caller.key.name)
    return APIResponder.json(WireBalance(added: body.amount, voucher: voucher))
  }

  func voucherRedemptions(_ request: HTTPRequest, _ code: String) throws -> HTTPResponse {
    let voucher = try existingVoucher(code)
    let limit = try integer(request, "limit", in: 1...1000) ?? 100
    let found = try engine.redemptions(RedemptionQuery(code: voucher.code, limit: limit))
    return APIResponder.json(WireVoucherRedemptions(voucher: voucher, redemptions: found))
  }

  // MARK: Validation and redemption

  func validate(_ request: HTTPRequest, _ caller: Caller) throws -> HTTPResponse {
    let body = try redemptionRequest(request)
    let engineRequest = try body.engineValue(cashier: caller.key.name)
    let result = try engine.validate(engineRequest)
    return HTTPResponse(status: 200, body: WireValidation.json(result, request: engineRequest))
  }

  func redeem(_ request: HTTPRequest, _ caller: Caller) throws -> HTTPResponse {
    let key = try idempotencyKey(request)
    let body = try redemptionRequest(request)
    let outcome = try engine.redeem(
      try body.engineValue(cashier: caller.key.name), idempotencyKey: key)
    return APIResponder.json(WireRedeemResponse(outcome))
  }

  /// The fence: a write ordered with redemptions, so its answer holds for a redeem of the
  /// same attempt still in flight (a read could not promise that).
  func closeAttempt(_ request: HTTPRequest, _ key: String) throws -> HTTPResponse {
    try Self.checkIdempotencyKey(key)
    return APIResponder.json(WireAttemptFence(key: key, try engine.closeAttempt(key: key)))
  }

  func listRedemptions(_ request: HTTPRequest) throws -> HTTPResponse {
    var query = RedemptionQuery(
      code: request.query("filters[voucher_code][conditions][$is]")
        ?? request.query("voucher_code") ?? request.query("voucher"),
      customer: request.query("filters[customer_id][conditions][$is]")
        ?? request.query("customer"),
      orderSourceId: request.query("filters[order_source_id][conditions][$is]")
        ?? request.query("order_source_id"))
    query.limit = try integer(request, "limit", in: 1...1000) ?? 100
    query.page = try integer(request, "page", in: 1...1_000_000) ?? 1
    do {
      return APIResponder.json(WireRedemptionList(try engine.redemptions(query)))
    } catch let refusal as Refusal {
      // A filter naming a code or customer that does not exist matches nothing.
      switch refusal.reason {
      case .notFound, .customerNotFound: return APIResponder.json(WireRedemptionList([]))
      default: throw refusal
      }
    }
  }

  func redemption(_ request: HTTPRequest, _ id: String) throws -> HTTPResponse {
    guard let redemption = try engine.redemption(id: id) else {
      throw Refusal(code: nil, reason: .redemptionNotFound(id: id))
    }
    return APIResponder.json(WireRedemption(redemption))
  }

  // MARK: Rollback and reactivation

  func rollback(_ request: HTTPRequest, _ caller: Caller, _ id: String) throws -> HTTPResponse {
    let key = try idempotencyKey(request)
    let body =
      request.body.isEmpty
      ? WireReactivateRequest()
      : try decode(
        WireReactivateRequest.self, request, known: ["reason", "by"], ignored: ["metadata"])
    let reason = body.reason ?? request.query("reason") ?? "Rolled back through the API"
    let rollbacks = try engine.rollback(
      redemptionId: id, reason: reason, by: body.by ?? caller.key.name, idempotencyKey: key)
    guard !rollbacks.isEmpty else { throw Refusal(code: nil, reason: .alreadyRolledBack) }
    let redemption = try engine.redemption(id: id)
    let parts = redemption.map { $0.children.isEmpty ? [$0] : $0.children } ?? []
    let wire = rollbacks.map { rollback in
      let part = parts.first { $0.id == rollback.redemptionId }
      return WireRollback(rollback, redemption: part, isGift: part?.giftBalanceAfter != nil)
    }
    var first = wire[0]
    if wire.count > 1 { first.rollbacks = wire }
    return APIResponder.json(first)
  }

  func reactivate(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> HTTPResponse
  {
    let body = try decode(
      WireReactivateRequest.self, request, known: ["reason", "by"], ignored: ["metadata"])
    guard let reason = body.reason else { throw APIError.invalidPayload("reason is required") }
    let rollback = try engine.reactivate(code: code, reason: reason, by: body.by ?? caller.key.name)
    let redemption = try engine.redemption(id: rollback.redemptionId)
    return APIResponder.json(
      WireRollback(rollback, redemption: redemption, isGift: redemption?.giftBalanceAfter != nil))
  }

  // MARK: Helpers

  static let voucherFields: Set<String> = [
    "code", "code_config", "type", "campaign", "discount", "gift", "start_date",
    "expiration_date", "active", "redemption", "metadata", "customer", "currency", "reactivation",
    "rules",
  ]

  static let redemptionFields: Set<String> = ["redeemables", "customer", "order", "channel"]

  private func existingVoucher(_ code: String) throws -> Voucher {
    guard let voucher = try engine.voucher(code: code) else {
      throw Refusal(
        code: code,
        reason: .notFound(code: code.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()))
    }
    return voucher
  }

  /// Reads a JSON object body into `T`, refusing malformed JSON, wrong types, out-of-range
  /// numbers and top-level fields that are neither read nor knowingly ignored (a misspelt
  /// field is an error, not silently dropped). The body is parsed once.
  func decode<T: Decodable>(
    _ type: T.Type, _ request: HTTPRequest, known: Set<String>, ignored: Set<String>
  ) throws -> T {
    try decode(type, from: parsedObject(request, known: known, ignored: ignored))
  }

  /// The body of `POST /v1/validations` and `/v1/redemptions`, the hot routes: read straight
  /// from the parsed tree, or, when that declines, through the decoder, whose errors the
  /// client gets.
  func redemptionRequest(_ request: HTTPRequest) throws -> WireRedemptionRequest {
    let object = try parsedObject(
      request, known: Self.redemptionFields, ignored: WireRedemptionRequest.ignoredFields)
    if case .object(let members) = object, let body = WireRedemptionRequest(parsed: members) {
      return body
    }
    return try decode(WireRedemptionRequest.self, from: object)
  }

  /// The body parsed, checked to be an object with only `known` and `ignored` members.
  private func parsedObject(_ request: HTTPRequest, known: Set<String>, ignored: Set<String>)
    throws -> JSONValue
  {
    guard !request.body.isEmpty else { throw APIError.invalidPayload("a JSON body is required") }
    let object: JSONValue
    do {
      object = try JSONValue.parse(request.body)
    } catch {
      // Where and why, so a client's developer can find the fault in a long body.
      throw APIError.invalidPayload("the body is not valid JSON: \(error)")
    }
    guard case .object(let members) = object else {
      throw APIError.invalidPayload("the body must be a JSON object")
    }
    func isUnknown(_ name: String) -> Bool { !known.contains(name) && !ignored.contains(name) }
    // Sorted only when there is one to name, so that the first in name order is reported.
    if members.contains(where: { isUnknown($0.key) }),
      let unknown = members.map(\.key).sorted().first(where: isUnknown)
    {
      throw APIError.invalidPayload("unknown field \(unknown)")
    }
    return object
  }

  private func decode<T: Decodable>(_ type: T.Type, from object: JSONValue) throws -> T {
    do {
      return try JSONValueDecoder().decode(type, from: object)
    } catch let error as DecodingError {
      throw APIError.invalidPayload(Self.describe(error))
    }
  }

  private func requireEmptyOrObject(_ request: HTTPRequest) throws {
    guard !request.body.isEmpty else { return }
    guard case .object = try? JSONValue.parse(request.body) else {
      throw APIError.invalidPayload("the body must be empty or a JSON object")
    }
  }

  static func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
      return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "body" : text)
    }
    switch error {
    case .typeMismatch(let type, let context):
      return "\(path(context.codingPath)) must be \(describe(type))"
    case .valueNotFound(let type, let context):
      return "\(path(context.codingPath)) must be \(describe(type)), not null"
    case .keyNotFound(let key, let context):
      return "\(path(context.codingPath + [key])) is required"
    case .dataCorrupted(let context):
      return context.codingPath.isEmpty
        ? "the body is not valid JSON"
        : "\(path(context.codingPath)) has a value out of range or of the wrong kind"
    @unknown default:
      return "the body does not match the expected shape"
    }
  }

  private static func describe(_ type: Any.Type) -> String {
    switch type {
    case is Int64.Type, is Int.Type: "a whole number (minor units)"
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    case is Decimal.Type: "a number"
    default: "an object or list of the documented shape"
    }
  }

  private func integer(_ request: HTTPRequest, _ name: String, in range: ClosedRange<Int>) throws
    -> Int?
  {
    guard let text = request.query(name) else { return nil }
    guard let value = Int(text), range.contains(value) else {
      throw APIError.invalidPayload(
        "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return value
  }

  private func filter(_ request: HTTPRequest) throws -> VoucherFilter {
    guard let text = request.query("status") ?? request.query("filter") else { return .all }
    guard let filter = VoucherFilter(rawValue: text.lowercased()) else {
      throw APIError.invalidPayload("status must be available, redeemed, expired or all")
    }
    return filter
  }

  private func idempotencyKey(_ request: HTTPRequest) throws -> String? {
    guard let key = request.header("Idempotency-Key") else { return nil }
    try Self.checkIdempotencyKey(key)
    return key
  }

  /// An idempotency key, which is also a redeem attempt's key for the fence.
  private static func checkIdempotencyKey(_ key: String) throws {
    guard !key.isEmpty, key.utf8.count <= 200,
      key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F })
    else {
      throw APIError.invalidPayload("Idempotency-Key must be 1–200 visible ASCII characters")
    }
  }
}
