import Foundation
import PlainWire
import VoucherAPI
import VoucherEngine
import VoucherServer

/// The plain voucher API over our engine, under `/plain/v1/` (its `/v1/vouchers/validate`
/// would otherwise be read as Voucherify's `/v1/vouchers/{code}`).
///
/// `Authorization: Bearer APP_ID:TOKEN` with one of our keys; the key's role decides what it
/// may do (validate, apply and reading a voucher: cashier; the list: support; create, change,
/// delete: admin). Each key has its own rate limits per kind of route, told in
/// `X-RateLimit-Limit`, `-Remaining` and `-Reset` (Unix seconds) on every authenticated
/// answer, and 429 `RATE_LIMIT_EXCEEDED` with `Retry-After` past them. Errors are
/// `{error: {code, message, details}}`.
///
/// Failed authentications count in the server's throttle (shared with its other routes):
/// past its limits the answer is 429 `TOO_MANY_FAILED_AUTHENTICATIONS` with `Retry-After`.
public struct PlainDialect: ServedDialect {
  public static let prefix = "/plain/v1"
  let engine: VoucherEngine
  let limiter: PlainRateLimiter
  let throttle: AuthThrottle

  /// - Parameter throttle: failed authentications; `serve` passes the one its other routes
  ///   count in.
  public init(
    engine: VoucherEngine, limits: PlainRateLimits = PlainRateLimits(),
    throttle: AuthThrottle = AuthThrottle()
  ) {
    self.engine = engine
    limiter = PlainRateLimiter(limits: limits)
    self.throttle = throttle
  }

  public func claims(_ request: HTTPRequest) -> Bool {
    request.path == Self.prefix || request.path.hasPrefix(Self.prefix + "/")
  }

  public func handle(_ request: HTTPRequest) -> HTTPResponse {
    let key: APIKey
    switch authenticate(request) {
    case .key(let found): key = found
    case .refusal(let answer): return answer
    }
    let parts = request.path.dropFirst(Self.prefix.count).split(separator: "/").map(String.init)
    let route: PlainRateLimits.Route =
      switch (request.method, parts.last) {
      case ("POST", "validate"): .validate
      case ("POST", "apply"): .apply
      case ("GET", _), ("HEAD", _): .read
      default: .write
      }
    let verdict = limiter.admit(appId: key.appId, route: route)
    var response: HTTPResponse
    if verdict.allowed {
      do {
        response = try self.route(request, parts, key: key)
      } catch let error as PlainError {
        response = Self.answer(error)
      } catch let refusal as Refusal {
        response = Self.answer(Self.error(for: refusal.reason, quantity: nil))
      } catch StoreError.busy {
        response = Self.answer(PlainError(status: 503, code: "BUSY", message: "try again"))
      } catch {
        FileHandle.standardError.write(
          Data("voucher-engine serve: \(request.requestId) failed: \(error)\n".utf8))
        response = Self.answer(
          PlainError(status: 500, code: "INTERNAL_ERROR", message: "the server failed"))
      }
    } else {
      response = Self.answer(
        PlainError(
          status: 429, code: "RATE_LIMIT_EXCEEDED",
          message: "more than \(verdict.limit) requests of this kind in \(limiter.limits.window) s")
      )
      let wait = max(1, verdict.reset - Int64(Date().timeIntervalSince1970.rounded(.down)))
      response.headers.append((name: "Retry-After", value: String(wait)))
    }
    response.headers += [
      (name: "X-RateLimit-Limit", value: String(verdict.limit)),
      (name: "X-RateLimit-Remaining", value: String(verdict.remaining)),
      (name: "X-RateLimit-Reset", value: String(verdict.reset)),
    ]
    response.appId = key.appId
    return response
  }

  // MARK: Routes

  private func route(_ request: HTTPRequest, _ parts: [String], key: APIKey) throws
    -> HTTPResponse
  {
    func need(_ role: APIRole) throws {
      guard key.role >= role else {
        throw PlainError(
          status: 403, code: "INSUFFICIENT_PERMISSIONS",
          message:
            "this key's role (\(key.role.rawValue)) may not do this; it needs \(role.rawValue)")
      }
    }
    let notAllowed = PlainError(
      status: 405, code: "METHOD_NOT_ALLOWED",
      message: "\(request.method) is not allowed on \(request.path)")
    guard parts.first == "vouchers" else {
      throw PlainError(status: 404, code: "NOT_FOUND", message: "no route \(request.path)")
    }
    switch (parts.count, request.method) {
    case (1, "GET"):
      try need(.support)
      return try list(request)
    case (1, "POST"):
      try need(.admin)
      return try create(request)
    case (1, _): throw notAllowed
    case (2, "POST") where parts[1] == "validate":
      try need(.cashier)
      return try validate(request)
    case (2, "POST") where parts[1] == "apply":
      try need(.cashier)
      return try apply(request, key: key)
    case (2, "GET"):
      let voucher = try find(parts[1])
      let history = try engine.redemptions(RedemptionQuery(code: voucher.code, limit: 1000))
        .filter { $0.status == .succeeded }
        .map {
          PlainUsage(
            orderId: $0.order.sourceId ?? "", discountAmount: PlainWire.number($0.amount),
            appliedAt: WireFormat.date($0.date))
        }
      return Self.json(try shown(voucher, history: history))
    case (2, "PUT"):
      try need(.admin)
      return try update(find(parts[1]), request)
    case (2, "DELETE"):
      try need(.admin)
      let voucher = try find(parts[1])
      let now = engine.clock.now()
      try engine.deleteVoucher(code: voucher.code, actor: key.appId)
      return Self.json(PlainDeletion(id: voucher.id, deletedAt: WireFormat.date(now)))
    case (2, _): throw notAllowed
    default:
      throw PlainError(status: 404, code: "NOT_FOUND", message: "no route \(request.path)")
    }
  }

  private func create(_ request: HTTPRequest) throws -> HTTPResponse {
    let body = try Self.decode(PlainCreateRequest.self, request, known: PlainCreateRequest.fields)
    var draft = VoucherDraft(
      code: body.code, kind: try Self.kind(body.type, body.value),
      currency: (body.currency ?? engine.defaultCurrency).uppercased())
    try Self.apply(body.conditions ?? PlainConditions(), to: &draft)
    let made = try engine.createVoucher(draft)
    return Self.json(try shown(made), status: 201)
  }

  private func update(_ voucher: Voucher, _ request: HTTPRequest) throws -> HTTPResponse {
    let names = try Self.memberNames(request)
    let frozen = names.filter { PlainUpdateRequest.immutable.contains($0) }.sorted()
    if !frozen.isEmpty {
      throw PlainError(
        status: 400, code: "INVALID_REQUEST", message: "code, type and created_at cannot change",
        details: frozen.map { PlainFieldError(field: $0, message: "cannot be changed") })
    }
    let body = try Self.decode(PlainUpdateRequest.self, request, known: PlainUpdateRequest.fields)
    var changes = VoucherChanges()
    if let value = body.value {
      guard
        case .discount(let discount) = try Self.kind(
          PlainVoucher(voucher, now: Date())!.type, value)
      else { throw Self.invalid("value", "is out of range") }
      changes.discount = discount
    }
    if let conditions = body.conditions {
      // PUT replaces the conditions: one left out is cleared.
      var draft = VoucherDraft(kind: voucher.kind)
      try Self.apply(conditions, to: &draft)
      changes.minOrderAmount = .some(draft.minOrderAmount)
      changes.quantity = .some(draft.quantity)
      changes.startDate = .some(draft.startDate)
      changes.expirationDate = .some(draft.expirationDate)
      changes.perCustomer = .some(draft.perCustomer)
      changes.applicableTo = draft.applicableTo
      changes.inapplicableTo = draft.inapplicableTo
    }
    switch body.status {
    case .active: changes.active = true
    case .inactive: changes.active = false
    case .expired: throw Self.invalid("status", "follows valid_until; set active or inactive")
    case nil: break
    }
    let updated = try engine.updateVoucher(code: voucher.code, changes)
    return Self.json(try shown(updated))
  }

  private func list(_ request: HTTPRequest) throws -> HTTPResponse {
    let limit = try Self.integer(request, "limit", default: 10, in: 1...100)
    let offset = try Self.integer(request, "offset", default: 0, in: 0...10_000_000)
    let status = try request.query("status").map { text in
      guard let status = PlainVoucherStatus(rawValue: text) else {
        throw Self.invalid("status", "must be active, inactive or expired")
      }
      return status
    }
    let type = try request.query("type").map { text in
      guard let type = PlainVoucherType(rawValue: text) else {
        throw Self.invalid("type", "must be percentage or fixed")
      }
      return type
    }
    let after = try Self.date(request, "created_after")
    let before = try Self.date(request, "created_before")
    let now = engine.clock.now()
    // The engine lists pages of live vouchers; the filters are applied here.
    var matching: [PlainVoucher] = []
    var page = 1
    while true {
      let vouchers = try engine.listVouchers(limit: 1000, page: page)
      for voucher in vouchers {
        guard let shown = PlainVoucher(voucher, now: now) else { continue }
        if let status, shown.status != status { continue }
        if let type, shown.type != type { continue }
        if let after, voucher.createdAt <= after { continue }
        if let before, voucher.createdAt >= before { continue }
        matching.append(shown)
      }
      if vouchers.count < 1000 { break }
      page += 1
    }
    let data = Array(matching.dropFirst(offset).prefix(limit))
    return Self.json(
      PlainVoucherList(
        data: data, total: matching.count, limit: limit, offset: offset,
        hasMore: offset + data.count < matching.count))
  }

  private func validate(_ request: HTTPRequest) throws -> HTTPResponse {
    let body = try Self.decode(
      PlainValidateRequest.self, request, known: PlainValidateRequest.fields)
    let voucher = try find(code: body.code)
    let items = try Self.items(body.order)
    let customer = try customer(body.customerId)
    let result = try engine.validate(
      RedemptionRequest(codes: [CodeRequest(voucher.code)], customer: customer, items: items))
    let now = engine.clock.now()
    let shown = try shown(voucher)
    let refusal = result.redeemables.first?.refusal
    let details = PlainValidation.Details(
      minOrderValueMet: voucher.minOrderAmount.map { result.orderAmount >= $0 } ?? true,
      usageLimitNotExceeded: voucher.usesLeft.map { $0 > 0 } ?? true,
      validDateRange: (voucher.startDate.map { now >= $0 } ?? true)
        && (voucher.expirationDate.map { now <= $0 } ?? true))
    return Self.json(
      PlainValidation(
        isValid: result.valid,
        voucher: .init(id: voucher.id, code: voucher.code, type: shown.type, value: shown.value),
        discountAmount: PlainWire.number(result.discountAmount),
        finalAmount: PlainWire.number(result.totalAmount), currency: voucher.currency,
        validationDetails: details,
        error: refusal.map { Self.error(for: $0, quantity: voucher.quantity).error }))
  }

  /// Exactly once per (code, order): the engine returns the first redemption of a voucher on
  /// an order instead of making a second, so a repeated apply answers the first application.
  private func apply(_ request: HTTPRequest, key: APIKey) throws -> HTTPResponse {
    let body = try Self.decode(PlainApplyRequest.self, request, known: PlainApplyRequest.fields)
    let order = body.orderId.trimmingCharacters(in: .whitespaces)
    guard !order.isEmpty else { throw Self.invalid("order_id", "is required") }
    let voucher = try find(code: body.code)
    let items = try Self.items(body.order)
    let customer = try customer(body.customerId)
    let outcome: RedeemOutcome
    do {
      outcome = try engine.redeem(
        RedemptionRequest(
          codes: [CodeRequest(voucher.code)], customer: customer, orderSourceId: order,
          items: items, channel: Channel(terminal: key.appId)))
    } catch let refusal as Refusal {
      throw Self.error(for: refusal.reason, quantity: voucher.quantity)
    }
    let made = outcome.redemption
    return Self.json(
      PlainApplication(
        id: made.id, voucher: .init(id: voucher.id, code: voucher.code), orderId: order,
        discountAmount: PlainWire.number(made.amount),
        finalAmount: PlainWire.number(made.order.totalAmount), currency: voucher.currency,
        appliedAt: WireFormat.date(made.date)),
      status: outcome.isReplay ? 200 : 201)
  }

  // MARK: Helpers

  /// The shop's customer reference, kept as a contact with that source id.
  private func customer(_ reference: String?) throws -> String? {
    guard let reference = reference?.trimmingCharacters(in: .whitespaces), !reference.isEmpty
    else { return nil }
    return try engine.upsertCustomer(CustomerDraft(sourceId: reference)).id
  }

  /// By id or, for a till that scanned one, by code.
  private func find(_ reference: String) throws -> Voucher {
    if let voucher = try engine.store.read({ try $0.voucher(id: reference) }),
      PlainVoucher(voucher, now: Date()) != nil
    {
      return voucher
    }
    return try find(code: reference)
  }

  private func find(code: String) throws -> Voucher {
    guard let voucher = try engine.voucher(code: code), PlainVoucher(voucher, now: Date()) != nil
    else {
      throw PlainError(status: 404, code: "VOUCHER_NOT_FOUND", message: "no voucher \(code)")
    }
    return voucher
  }

  private func shown(_ voucher: Voucher, history: [PlainUsage]? = nil) throws -> PlainVoucher {
    guard let shown = PlainVoucher(voucher, now: engine.clock.now(), usageHistory: history) else {
      throw PlainError(status: 404, code: "VOUCHER_NOT_FOUND", message: "no such voucher")
    }
    return shown
  }

  static func kind(_ type: PlainVoucherType, _ value: Decimal) throws -> VoucherKind {
    guard let amount = PlainWire.minor(value), amount > 0 else {
      throw invalid("value", "must be above 0 with at most two decimals")
    }
    switch type {
    case .percentage:
      guard amount <= 10_000 else { throw invalid("value", "a percentage is at most 100") }
      return .discount(.percent(basisPoints: amount, amountLimit: nil))
    case .fixed: return .discount(.amount(amount))
    }
  }

  static func apply(_ conditions: PlainConditions, to draft: inout VoucherDraft) throws {
    if let value = conditions.minOrderValue {
      guard let minor = PlainWire.minor(value) else {
        throw invalid("conditions.min_order_value", "must be 0 or more with at most two decimals")
      }
      draft.minOrderAmount = minor
    }
    if let uses = conditions.maxUses {
      guard uses >= 1 else { throw invalid("conditions.max_uses", "must be at least 1") }
      draft.quantity = uses
    }
    if let limit = conditions.customerLimit {
      guard limit >= 1 else { throw invalid("conditions.customer_limit", "must be at least 1") }
      draft.perCustomer = limit
    }
    func date(_ name: String, _ text: String?) throws -> Date? {
      guard let text else { return nil }
      guard let date = WireFormat.date(from: text) else {
        throw invalid("conditions.\(name)", "must be an ISO 8601 date-time")
      }
      return date
    }
    if let start = try date("valid_from", conditions.validFrom) { draft.startDate = start }
    if let end = try date("valid_until", conditions.validUntil) { draft.expirationDate = end }
    draft.applicableTo = conditions.productIds ?? []
    draft.inapplicableTo = conditions.excludedProductIds ?? []
  }

  static func items(_ order: PlainOrder) throws -> [CartItem] {
    guard let value = PlainWire.minor(order.value) else {
      throw invalid("order.value", "must be 0 or more with at most two decimals")
    }
    guard let lines = order.items, !lines.isEmpty else {
      return [CartItem(sku: "order", quantity: 1, price: value)]
    }
    var items: [CartItem] = []
    for (index, line) in lines.enumerated() {
      guard let price = PlainWire.minor(line.price),
        (1...CartItem.maximumQuantity).contains(line.quantity)
      else {
        throw invalid(
          "order.items[\(index)]", "needs a price of 0 or more and a quantity of 1 or more")
      }
      items.append(CartItem(sku: line.id, quantity: line.quantity, price: price))
    }
    guard items.reduce(0, { $0 + $1.amount }) == value else {
      throw invalid("order.value", "must equal the total of order.items")
    }
    return items
  }

  /// The error for a rule's refusal, with the plain API's code.
  static func error(for reason: Reason, quantity: Int64?) -> PlainError {
    let message = CashierWords.sentence(for: reason)
    let (status, code): (Int, String) =
      switch reason {
      case .notFound, .customerNotFound, .redemptionNotFound: (404, "VOUCHER_NOT_FOUND")
      case .voucherExpired: (422, "VOUCHER_EXPIRED")
      case .voucherNotActive: (422, "VOUCHER_NOT_ACTIVE")
      case .voucherDisabled: (422, "VOUCHER_INACTIVE")
      case .quantityExceeded:
        quantity == 1 ? (409, "VOUCHER_ALREADY_APPLIED") : (422, "USAGE_LIMIT_EXCEEDED")
      case .perCustomerLimitReached: (422, "CUSTOMER_LIMIT_EXCEEDED")
      case .missingCustomer, .missingCustomerForLimit: (422, "CUSTOMER_REQUIRED")
      case .boundToAnotherCustomer: (422, "VOUCHER_INVALID")
      case .orderBelowMinimum: (422, "MIN_ORDER_VALUE_NOT_MET")
      case .noApplicableItem: (422, "NO_APPLICABLE_PRODUCTS")
      case .duplicateCode: (409, "DUPLICATE_CODE")
      default: (400, "INVALID_REQUEST")
      }
    return PlainError(status: status, code: code, message: message)
  }

  static func invalid(_ field: String, _ message: String) -> PlainError {
    PlainError(
      status: 400, code: "INVALID_REQUEST", message: "\(field) \(message)",
      details: [PlainFieldError(field: field, message: message)])
  }

  static func integer(
    _ request: HTTPRequest, _ name: String, default value: Int, in range: ClosedRange<Int>
  ) throws -> Int {
    guard let text = request.query(name) else { return value }
    guard let number = Int(text), range.contains(number) else {
      throw invalid(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return number
  }

  static func date(_ request: HTTPRequest, _ name: String) throws -> Date? {
    guard let text = request.query(name) else { return nil }
    guard let date = WireFormat.date(from: text) else {
      throw invalid(name, "must be an ISO 8601 date-time")
    }
    return date
  }

  static func memberNames(_ request: HTTPRequest) throws -> [String] {
    guard case .object(let members) = try? JSONValue.parse(request.body) else {
      throw invalid("body", "must be a JSON object")
    }
    return members.map(\.key)
  }

  static func decode<T: Decodable>(_ type: T.Type, _ request: HTTPRequest, known: Set<String>)
    throws -> T
  {
    let object: JSONValue
    do { object = try JSONValue.parse(request.body) } catch {
      throw invalid("body", "is not valid JSON: \(error)")
    }
    guard case .object(let members) = object else { throw invalid("body", "must be a JSON object") }
    let unknown = members.map(\.key).filter { !known.contains($0) }.sorted()
    if !unknown.isEmpty {
      throw PlainError(
        status: 400, code: "INVALID_REQUEST",
        message: "unknown fields: \(unknown.joined(separator: ", "))",
        details: unknown.map { PlainFieldError(field: $0, message: "unknown field") })
    }
    if case .object(let inner)? = object["conditions"],
      let field = inner.map(\.key).sorted().first(where: { !PlainConditions.fields.contains($0) })
    {
      throw invalid("conditions.\(field)", "is not a condition")
    }
    do {
      return try JSONValueDecoder().decode(type, from: object)
    } catch let error as DecodingError {
      let (path, message): ([any CodingKey], String) =
        switch error {
        case .keyNotFound(let key, let context): (context.codingPath + [key], "is required")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
          (context.codingPath, "has the wrong type")
        case .dataCorrupted(let context): (context.codingPath, "is not valid")
        @unknown default: ([], "is not valid")
        }
      let field = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
      throw invalid(field.hasPrefix(".") ? String(field.dropFirst()) : field, message)
    }
  }

  /// A key, or the answer that refuses the request.
  private enum Authentication {
    case key(APIKey)
    case refusal(HTTPResponse)
  }

  /// `Bearer APP_ID:TOKEN`, checked and counted like every key of the server.
  private func authenticate(_ request: HTTPRequest) -> Authentication {
    guard let header = request.header("Authorization"), header.lowercased().hasPrefix("bearer ")
    else {
      return .refusal(
        Self.answer(
          PlainError(
            status: 401, code: "MISSING_API_KEY", message: "Authorization: Bearer is required")))
    }
    let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
    let colon = token.firstIndex(of: ":")
    let verdict =
      (try? throttle.authenticate(
        appId: colon.map { String(token[..<$0]) },
        token: colon.map { String(token[token.index(after: $0)...]) },
        address: request.clientAddress, engine: engine)) ?? .refused
    switch verdict {
    case .passed(let key):
      return .key(key)
    case .refused:
      return .refusal(
        Self.answer(
          PlainError(status: 401, code: "INVALID_API_KEY", message: "the API key is not valid")))
    case .throttled(let retryAfter, let limit):
      var answer = Self.answer(
        PlainError(
          status: 429, code: "TOO_MANY_FAILED_AUTHENTICATIONS",
          message: "too many failed authentications; try again in \(retryAfter) s"))
      answer.headers = AuthThrottle.headers(retryAfter: retryAfter, limit: limit)
      return .refusal(answer)
    }
  }

  static func json(_ value: some Encodable, status: Int = 200) -> HTTPResponse {
    HTTPResponse(status: status, body: PlainWire.encode(value))
  }

  static func answer(_ error: PlainError) -> HTTPResponse {
    json(error, status: error.status)
  }
}
