import Foundation
import VaucharWire
import VoucherAPI
import VoucherEngine
import VoucherServer

/// Vauchar's voucher routes over our engine, at the root as Vauchar serves them
/// (`/vouchers…`, `/verifycredentials`; nothing of ours lives there).
///
/// Authentication is Vauchar's Basic `Merchant_Id:Api_Key`: the merchant id is one of our
/// keys' app id and the API key its token, so the key's role decides what it may do (lists
/// and voucher creation need support and admin; a till's validate and redeem need cashier).
/// Money leaves as decimal strings and times as Unix seconds; errors are `VaucharError`.
///
/// Failed authentications count in the server's throttle (shared with its other routes):
/// past its limits the answer is 429 with `Retry-After` and `X-Rate-Limit-*`.
public struct VaucharDialect: ServedDialect {
  let engine: VoucherEngine
  let throttle: AuthThrottle

  /// - Parameter throttle: failed authentications; `serve` passes the one its other routes
  ///   count in.
  public init(engine: VoucherEngine, throttle: AuthThrottle = AuthThrottle()) {
    self.engine = engine
    self.throttle = throttle
  }

  public func claims(_ request: HTTPRequest) -> Bool {
    request.path == "/verifycredentials" || request.path == "/vouchers"
      || request.path.hasPrefix("/vouchers/")
  }

  public func handle(_ request: HTTPRequest) -> HTTPResponse {
    let key: APIKey
    switch authenticate(request) {
    case .passed(let found):
      key = found
    case .refused:
      return Self.error(401, "unauthorized", "wrong or missing Merchant ID or API key")
    case .throttled(let retryAfter, let limit):
      var response = Self.error(
        429, "too_many_requests",
        "too many failed authentications; try again in \(retryAfter) s")
      response.headers = AuthThrottle.headers(retryAfter: retryAfter, limit: limit)
      return response
    }
    var response: HTTPResponse
    do {
      response = try route(request, key: key)
    } catch let error as VaucharError {
      response = Self.error(error.status, error.error, error.message)
    } catch let refusal as Refusal {
      response = Self.refused(refusal.reason)
    } catch let reason as Reason {
      response = Self.refused(reason)
    } catch StoreError.busy {
      response = Self.error(503, "busy", "the server is busy; try again")
    } catch {
      FileHandle.standardError.write(
        Data("voucher-engine serve: \(request.requestId) failed: \(error)\n".utf8))
      response = Self.error(500, "internal_error", "the server failed")
    }
    response.appId = key.appId
    return response
  }

  // MARK: Routes

  private func route(_ request: HTTPRequest, key: APIKey) throws -> HTTPResponse {
    let parts = request.path.split(separator: "/").map(String.init)
    let base = Self.base(request)
    func need(_ role: APIRole) throws {
      guard key.role >= role else {
        throw VaucharError(
          status: 403, error: "forbidden",
          message:
            "this key's role (\(key.role.rawValue)) may not do this; it needs \(role.rawValue)")
      }
    }
    func method(_ allowed: String...) throws {
      guard allowed.contains(request.method) else {
        throw VaucharError(
          status: 405, error: "method_not_allowed",
          message: "\(request.method) is not allowed on \(request.path)")
      }
    }
    switch parts.count {
    case 1 where parts[0] == "verifycredentials":
      try method("GET")
      return Self.json(["merchant_id": key.appId, "role": key.role.rawValue])
    case 1:
      try method("GET", "POST")
      if request.method == "GET" {
        try need(.support)
        return try list(request, base: base)
      }
      try need(.admin)
      return try create(request, base: base)
    case 2 where parts[1] == "validate":
      try method("GET")
      guard let code = request.query("voucher_code"), !code.isEmpty else {
        throw VaucharError(
          status: 400, error: "missing_parameter", message: "voucher_code is required")
      }
      guard let voucher = try engine.voucher(code: code) else {
        throw VaucharError(status: 404, error: "not_found", message: "voucher code not found")
      }
      return try validation(of: voucher, base: base)
    case 2:
      try method("GET")
      let voucher = try voucher(id: parts[1])
      return try Self.json(shown(voucher, base: base))
    case 3 where parts[2] == "validate":
      try method("GET")
      return try validation(of: voucher(id: parts[1]), base: base)
    case 3 where parts[2] == "redemptions":
      try method("GET", "POST")
      let voucher = try voucher(id: parts[1])
      if request.method == "GET" { return try redemptions(of: voucher, base: base) }
      return try redeem(voucher, request, key: key, base: base)
    case 4 where parts[2] == "redemptions":
      try method("GET", "DELETE")
      let voucher = try voucher(id: parts[1])
      guard let redemption = try engine.redemption(id: parts[3]),
        redemption.voucherId == voucher.id, redemption.status == .succeeded
      else {
        throw VaucharError(status: 404, error: "not_found", message: "no such redemption")
      }
      let shown = VaucharRedemption(
        redemption, customer: try customer(of: redemption), base: base)
      if request.method == "GET" { return Self.json(shown) }
      try need(.support)
      // Deleting a redemption gives its use back: one of the voucher's reactivations.
      try engine.rollback(
        redemptionId: redemption.id, reason: "redemption deleted through the Vauchar API",
        by: key.appId)
      return Self.json(VaucharDeletion(id: redemption.id, deleted: true, redemption: shown))
    default:
      throw VaucharError(status: 404, error: "not_found", message: "no route \(request.path)")
    }
  }

  private func list(_ request: HTTPRequest, base: String) throws -> HTTPResponse {
    let limit = try Self.integer(request, "limit", default: 100, in: 1...100)
    let page = try Self.integer(request, "page", default: 1, in: 1...1_000_000)
    let vouchers = try engine.listVouchers(limit: limit, page: page)
    let listed = try vouchers.compactMap { try self.shown($0, base: base) }
    return Self.json(
      VaucharVoucherList(href: "\(base)/vouchers", count: listed.count, data: listed))
  }

  private func create(_ request: HTTPRequest, base: String) throws -> HTTPResponse {
    let body = try Self.decode(
      VaucharVoucherCreateRequest.self, request)
    guard (1...1000).contains(body.count) else {
      throw VaucharError(status: 400, error: "invalid_parameter", message: "count must be 1–1000")
    }
    guard let amount = try? Money.parse(body.value), amount > 0 else {
      throw VaucharError(
        status: 400, error: "invalid_parameter",
        message: "value must be a decimal string above 0, like \"50.00\"")
    }
    let kind: VoucherKind =
      switch body.valueUnit {
      case .percentage: .discount(.percent(basisPoints: amount, amountLimit: nil))
      case .fixed: .discount(.amount(amount))
      }
    // A Vauchar voucher is used once (`redeemed` is 0 or 1).
    var draft = VoucherDraft(
      campaign: body.tag.flatMap { $0.isEmpty ? nil : $0 }, kind: kind,
      currency: body.currency.uppercased(), quantity: 1)
    if let start = body.startTime, start > 0 { draft.startDate = VaucharTime.date(start) }
    if let end = body.expiryTime, end > 0 { draft.expirationDate = VaucharTime.date(end) }
    let made = try engine.createVouchers(Array(repeating: draft, count: body.count))
    let listed = try made.compactMap { try self.shown($0, base: base) }
    return Self.json(listed, status: 201)
  }

  private func validation(of voucher: Voucher, base: String) throws -> HTTPResponse {
    guard let shown = try shown(voucher, base: base) else {
      throw VaucharError(status: 404, error: "not_found", message: "voucher code not found")
    }
    let status = voucher.status(at: engine.clock.now())
    return Self.json(
      VaucharValidation(validationStatus: VaucharValidationStatus(status), data: shown))
  }

  private func redemptions(of voucher: Voucher, base: String) throws -> HTTPResponse {
    // Deleted (rolled back) redemptions are gone from Vauchar's list.
    let made = try engine.redemptions(RedemptionQuery(code: voucher.code, limit: 1000))
      .filter { $0.status == .succeeded }
    let shown = try made.map { VaucharRedemption($0, customer: try customer(of: $0), base: base) }
    return Self.json(
      VaucharRedemptionList(href: "\(base)/vouchers/\(voucher.id)/redemptions", data: shown))
  }

  /// `POST …/redemptions`. Vauchar's request carries no cart, only `value_used`, the value the
  /// customer got; the engine's rules need an order, so the order is one line priced so
  /// that the voucher gives exactly `value_used`.
  private func redeem(_ voucher: Voucher, _ request: HTTPRequest, key: APIKey, base: String)
    throws -> HTTPResponse
  {
    let body = try Self.decode(
      VaucharRedemptionRequest.self, request)
    let user = body.userId.trimmingCharacters(in: .whitespaces)
    guard !user.isEmpty else {
      throw VaucharError(status: 400, error: "missing_parameter", message: "user_id is required")
    }
    var used: Int64?
    if let value = body.valueUsed {
      guard let minor = VaucharMoney.minor(value), minor > 0 else {
        throw VaucharError(
          status: 400, error: "invalid_parameter",
          message: "value_used must be a number above 0 with at most two decimals")
      }
      used = minor
    }
    guard let price = try Self.orderAmount(giving: used, with: voucher) else {
      throw VaucharError(
        status: 400, error: "invalid_parameter",
        message: "value_used is more than this voucher gives, or missing for a percentage voucher")
    }
    // Vauchar names the customer by the shop's user id: kept as a contact with that source id.
    let customer = try engine.upsertCustomer(
      CustomerDraft(sourceId: user, email: body.userEmail, phone: body.userPhone),
      actor: key.appId)
    let transaction = body.transactionId.flatMap { $0.isEmpty ? nil : $0 }
    let outcome = try engine.redeem(
      RedemptionRequest(
        codes: [CodeRequest(voucher.code)], customer: customer.id, orderSourceId: transaction,
        items: [CartItem(sku: "vauchar-order", quantity: 1, price: price)],
        channel: Channel(terminal: key.appId, cashier: nil)))
    return Self.json(
      VaucharRedemption(outcome.redemption, customer: customer, base: base),
      status: outcome.isReplay ? 200 : 201)
  }

  /// The order amount on which `voucher` gives exactly `used`: for an amount off, `used`
  /// itself (up to the amount); for a percentage, the smallest amount whose rounded share is
  /// `used` (a share grows by at most one minor unit per unit of order, so one exists).
  public static func orderAmount(giving used: Int64?, with voucher: Voucher) throws -> Int64? {
    switch voucher.kind {
    case .discount(.amount(let amount)):
      let used = used ?? amount
      return used <= amount ? used : nil
    case .discount(.percent(let basisPoints, let limit)):
      guard let used, limit.map({ used <= $0 }) ?? true else { return nil }
      var price = max(0, used * 10_000 / basisPoints - 1)
      while Money.percent(of: price, basisPoints: basisPoints) < used { price += 1 }
      return Money.percent(of: price, basisPoints: basisPoints) == used ? price : nil
    case .discount(.fixed), .gift:
      return nil
    }
  }

  // MARK: Helpers

  private func voucher(id: String) throws -> Voucher {
    guard let voucher = try engine.store.read({ try $0.voucher(id: id) }),
      VaucharVoucher(voucher, base: "", lastUse: nil) != nil
    else {
      throw VaucharError(status: 404, error: "not_found", message: "voucher not found")
    }
    return voucher
  }

  private func shown(_ voucher: Voucher, base: String) throws -> VaucharVoucher? {
    var lastUse: Date?
    if let quantity = voucher.quantity, voucher.redeemedQuantity >= quantity {
      lastUse = try engine.store.read { try $0.latestSucceededRedemption(voucherId: voucher.id) }?
        .date
    }
    return VaucharVoucher(voucher, base: base, lastUse: lastUse)
  }

  private func customer(of redemption: Redemption) throws -> Customer? {
    guard let id = redemption.customerId else { return nil }
    return try engine.customer(id)
  }

  /// Basic `Merchant_Id:Api_Key`, checked and counted like every key of the server; a
  /// header that names no key counts against the address.
  private func authenticate(_ request: HTTPRequest) -> AuthThrottle.Verdict {
    var merchant: String?
    var apiKey: String?
    if let header = request.header("Authorization"), header.lowercased().hasPrefix("basic "),
      let decoded = Data(
        base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
      let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
    {
      merchant = String(text[..<colon])
      apiKey = String(text[text.index(after: colon)...])
    }
    return
      (try? throttle.authenticate(
        appId: merchant, token: apiKey, address: request.clientAddress, engine: engine))
      ?? .refused
  }

  /// `http://HOST` as the client addressed us, for `href`.
  static func base(_ request: HTTPRequest) -> String {
    let host = request.header("Host").flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
    return "http://\(host)"
  }

  static func integer(
    _ request: HTTPRequest, _ name: String, default value: Int, in range: ClosedRange<Int>
  )
    throws -> Int
  {
    guard let text = request.query(name) else { return value }
    guard let number = Int(text), range.contains(number) else {
      throw VaucharError(
        status: 400, error: "invalid_parameter",
        message: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return number
  }

  static func decode<T: Decodable>(_ type: T.Type, _ request: HTTPRequest) throws -> T {
    let object: JSONValue
    do { object = try JSONValue.parse(request.body) } catch {
      throw VaucharError(
        status: 400, error: "invalid_json", message: "the body is not valid JSON: \(error)")
    }
    guard case .object = object else {
      throw VaucharError(
        status: 400, error: "invalid_json", message: "the body must be a JSON object")
    }
    // Vauchar's request schemas allow further members: they are ignored.
    do {
      return try JSONValueDecoder().decode(type, from: object)
    } catch {
      throw VaucharError(
        status: 400, error: "invalid_parameter", message: "the body does not fit: \(error)")
    }
  }

  static func json(_ value: some Encodable, status: Int = 200) -> HTTPResponse {
    HTTPResponse(status: status, body: WireFormat.encode(value))
  }

  static func error(_ status: Int, _ key: String, _ message: String) -> HTTPResponse {
    json(VaucharError(status: status, error: key, message: message), status: status)
  }

  /// A rule's refusal: 404 for what does not exist, 400 ("not valid for redemption") else.
  static func refused(_ reason: Reason) -> HTTPResponse {
    let status: Int =
      switch reason {
      case .notFound, .customerNotFound, .redemptionNotFound: 404
      default: 400
      }
    return error(status, reason.key, CashierWords.sentence(for: reason))
  }
}
