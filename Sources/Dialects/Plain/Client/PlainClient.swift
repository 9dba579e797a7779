import Foundation
import PlainWire
import VoucherClient
import VoucherEngine
import VoucherRESTClient

/// `VoucherClient` for the plain voucher API (`voucher-engine serve` under `/plain/v1`, or
/// any server of that contract): `Authorization: Bearer TOKEN`.
///
/// What the API can do decides what the till does here:
/// - No contact lookup: the till opens on code entry. A customer reference the cashier adds
///   is sent as `customer_id` (which `customer_limit` counts by).
/// - The server validates against the cart; one voucher per order.
/// - No fence, but an idempotent apply: the same code on the same order returns the first
///   application and never makes a second. So after a redeem that did not answer, the till
///   applies again with the same order id. That is safe: whatever became of the first apply
///   (landed, lost, still on its way), there is at most one application, and the answer is
///   it. The second apply may itself be what makes it (when the first never arrived); the
///   till then says "redeemed", which is true, for the very request the cashier sent. A
///   refusal of the second apply proves nothing about a first still on its way, so it stays
///   "not known yet". The price: a till that resolves at its next start, after a crash,
///   completes the voucher's use for that sale, and this API cannot give a use back; the
///   recovery screen names the order.
/// - No un-redeem.
public final class PlainClient: CodeOnlyClient {
  public let systemName = "the plain voucher API"

  /// The API's base, with its prefix (`http://127.0.0.1:8080/plain/v1`).
  public let baseURL: URL
  private let token: String
  public let readTimeout: TimeInterval
  private let transport: HTTPTransport

  public var backendDescription: String { baseURL.absoluteString }

  public init(
    baseURL: URL, token: String, readTimeout: TimeInterval = 10,
    transport: HTTPTransport = HTTPTransport()
  ) {
    self.baseURL = baseURL
    self.token = token
    self.readTimeout = readTimeout
    self.transport = transport
  }

  public var capabilities: BackendCapabilities {
    BackendCapabilities(
      contactSearch: [], validation: .server, stacking: .single,
      redeemGuarantee: .idempotentApply, unRedeem: .none, listsDaysSales: false)
  }

  // MARK: Vouchers

  public func voucher(code: String) async throws(ClientError) -> Voucher? {
    let text = code.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty else { return nil }
    let answer = try await exchange("GET", ["vouchers", text], body: nil)
    if answer.status == 404 { return nil }
    guard let voucher = try Self.decode(PlainVoucher.self, answer).engineValue() else {
      throw .backendFailed("the server sent a voucher the till cannot read")
    }
    return voucher
  }

  public func validate(_ request: RedemptionRequest) async throws(ClientError) -> ValidationResult {
    try Self.checkOneCode(request)
    let code = request.codes[0].code
    let subtotal = request.items.reduce(0) { $0 + $1.amount }
    let body = PlainWire.encode(
      PlainValidateRequest(
        code: code, order: Self.order(request), customerId: Self.customer(request)))
    let answer = try await exchange("POST", ["vouchers", "validate"], body: body)
    if answer.status == 404 {
      return .codeNotFound(code, orderAmount: subtotal)
    }
    let wire = try Self.decode(PlainValidation.self, answer)
    let voucher = try await self.voucher(code: wire.voucher.code)
    let refusal = wire.error.map {
      Self.reason($0, voucher: voucher, orderAmount: subtotal, code: code)
    }
    let discount = PlainWire.minor(wire.discountAmount) ?? 0
    let status = voucher?.status(at: Date())
    let result = RedeemableResult.restored(
      code: wire.voucher.code, voucher: voucher, status: status, refusal: refusal,
      discount: wire.isValid ? discount : 0, giftCredits: 0)
    return .restored(
      valid: wire.isValid, redeemables: [result], orderAmount: subtotal,
      discountAmount: wire.isValid ? discount : 0, giftCredits: 0,
      totalAmount: wire.isValid ? PlainWire.minor(wire.finalAmount) ?? subtotal : subtotal,
      customer: nil, currency: wire.currency)
  }

  // MARK: Redeem

  public func redeem(_ attempt: RedeemAttempt, deadline: Date) async throws(ClientError)
    -> RedeemOutcome
  {
    try Self.checkOneCode(attempt.request)
    let order = attempt.orderSourceId
    let timeLeft = deadline.timeIntervalSinceNow
    guard timeLeft > 0 else { throw .outcomeUnknown(orderSourceId: order) }
    let answer: HTTPTransport.Answer
    switch await send(
      "POST", ["vouchers", "apply"], body: Self.applyBody(attempt), timeout: timeLeft,
      isSafeToRepeat: false)
    {
    case .success(let value): answer = value
    case .failure(.notSent(let detail)): throw .unreachable(detail)
    case .failure(.timedOut), .failure(.lost): throw .outcomeUnknown(orderSourceId: order)
    }
    if answer.status >= 500 { throw .outcomeUnknown(orderSourceId: order) }
    guard (200..<300).contains(answer.status) else {
      throw await refusal(answer, request: attempt.request)
    }
    guard let application = try? PlainWire.decode(PlainApplication.self, answer.body),
      let redemption = Self.redemption(application, attempt: attempt)
    else { throw .outcomeUnknown(orderSourceId: order) }
    return .restored(redemption: redemption, isReplay: answer.status == 200)
  }

  /// Applies again with the same order id: the first application if there is one, or this
  /// one, never a second (see the type's notes for why that is safe).
  public func resolve(_ attempt: RedeemAttempt) async throws(ClientError) -> AttemptResolution {
    let answer = try await exchange(
      "POST", ["vouchers", "apply"], body: Self.applyBody(attempt), retry: true)
    if (200..<300).contains(answer.status),
      let application = try? PlainWire.decode(PlainApplication.self, answer.body),
      let redemption = Self.redemption(application, attempt: attempt)
    {
      return .made(redemption)
    }
    if answer.status >= 500 {
      return .unknown("The voucher system failed (HTTP \(answer.status)); ask again.")
    }
    let error = try? PlainWire.decode(PlainError.self, answer.body)
    return .unknown(
      "Applying it again was refused (\(error?.error.message ?? "HTTP \(answer.status)")), "
        + "which does not show whether the first try will still land.")
  }

  /// The voucher's `usage_history`, newest first: every application it had. Complete, since
  /// this API has no way to give a use back.
  public func history(code: String) async throws(ClientError) -> [VoucherHistoryEntry]? {
    let text = code.trimmingCharacters(in: .whitespacesAndNewlines)
    let answer = try await exchange("GET", ["vouchers", text], body: nil)
    if answer.status == 404 {
      throw .rejected(
        Refusal(code: text.normalizedCode, reason: .notFound(code: text.normalizedCode)))
    }
    let wire = try Self.decode(PlainVoucher.self, answer)
    var entries: [VoucherHistoryEntry] = []
    for use in wire.usageHistory ?? [] {
      guard let date = PlainWire.date(use.appliedAt),
        let amount = PlainWire.minor(use.discountAmount)
      else { throw .backendFailed("the server sent a usage the till cannot read") }
      entries.append(
        VoucherHistoryEntry(
          kind: .redeemed, date: date, terminal: nil, who: nil, why: nil, amount: amount,
          order: use.orderId))
    }
    return entries.sorted { $0.date > $1.date }
  }

  public func redemptions(ofOrder orderSourceId: String) async throws(ClientError) -> [Redemption] {
    throw .backendFailed("the plain voucher API does not list redemptions by order")
  }

  public func reactivate(code: String, reason: String, by: String?) async throws(ClientError)
    -> Rollback
  {
    throw .notAllowed("this voucher system cannot give a use back")
  }

  public func isReachable() async -> Bool {
    // Any answer from the API with a valid key will do; 403 is a cashier key.
    if case .success(let answer) = await send(
      "GET", ["vouchers"], query: [("limit", "1")], body: nil, timeout: min(readTimeout, 3),
      isSafeToRepeat: true)
    {
      return answer.status == 200 || answer.status == 403
    }
    return false
  }

  // MARK: Mapping

  private static func checkOneCode(_ request: RedemptionRequest) throws(ClientError) {
    guard request.codes.count == 1 else {
      throw .rejected(
        Refusal(
          code: request.codes.dropFirst().first?.code,
          reason: .invalidPayload("this voucher system takes one voucher per sale")))
    }
  }

  static func order(_ request: RedemptionRequest) -> PlainOrder {
    PlainOrder(
      value: PlainWire.number(request.items.reduce(0) { $0 + $1.amount }), currency: nil,
      items: request.items.map {
        PlainItem(id: $0.sku, price: PlainWire.number($0.price), quantity: $0.quantity)
      })
  }

  static func customer(_ request: RedemptionRequest) -> String? {
    request.customer.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
  }

  static func applyBody(_ attempt: RedeemAttempt) -> Data {
    PlainWire.encode(
      PlainApplyRequest(
        code: attempt.request.codes.first?.code ?? "", orderId: attempt.orderSourceId,
        order: order(attempt.request), customerId: customer(attempt.request)))
  }

  static func redemption(_ application: PlainApplication, attempt: RedeemAttempt) -> Redemption? {
    guard let discount = PlainWire.minor(application.discountAmount),
      let total = PlainWire.minor(application.finalAmount),
      let date = PlainWire.date(application.appliedAt)
    else { return nil }
    let items = attempt.request.items
    let order = RedeemedOrder.restored(
      id: application.orderId, sourceId: application.orderId,
      amount: items.reduce(0) { $0 + $1.amount }, discountAmount: discount, giftCredits: 0,
      totalAmount: total, items: items)
    return .restored(
      id: application.id, parentId: nil, voucherId: application.voucher.id,
      voucherCode: application.voucher.code, customerId: nil, order: order, amount: discount,
      status: .succeeded, channel: attempt.request.channel, date: date, giftBalanceAfter: nil,
      rollbackId: nil, children: [])
  }

  static func reason(_ error: PlainErrorBody, voucher: Voucher?, orderAmount: Int64, code: String)
    -> Reason
  {
    let epoch = Date(timeIntervalSince1970: 0)
    switch error.code {
    case "VOUCHER_NOT_FOUND": return .notFound(code: code.normalizedCode)
    case "VOUCHER_EXPIRED": return .voucherExpired(expiredAt: voucher?.expirationDate ?? epoch)
    case "VOUCHER_NOT_ACTIVE": return .voucherNotActive(startsAt: voucher?.startDate ?? epoch)
    case "VOUCHER_INACTIVE": return .voucherDisabled
    case "USAGE_LIMIT_EXCEEDED", "VOUCHER_ALREADY_APPLIED": return .quantityExceeded(lastUse: nil)
    case "CUSTOMER_LIMIT_EXCEEDED":
      return .perCustomerLimitReached(limit: voucher?.perCustomer ?? 0)
    case "CUSTOMER_REQUIRED":
      return voucher?.perCustomer.map { .missingCustomerForLimit(limit: $0) } ?? .missingCustomer
    case "MIN_ORDER_VALUE_NOT_MET":
      return .orderBelowMinimum(minimum: voucher?.minOrderAmount ?? 0, orderAmount: orderAmount)
    case "NO_APPLICABLE_PRODUCTS": return .noApplicableItem
    default: return .invalidPayload(error.message)
    }
  }

  private func refusal(_ answer: HTTPTransport.Answer, request: RedemptionRequest) async
    -> ClientError
  {
    let code = request.codes.first?.code ?? ""
    guard let error = try? PlainWire.decode(PlainError.self, answer.body) else {
      return .backendFailed("HTTP \(answer.status)")
    }
    if answer.status == 401 || answer.status == 403 { return .notAllowed(error.error.message) }
    if answer.status == 429 { return .backendFailed(error.error.message) }
    let voucher = try? await self.voucher(code: code)
    let subtotal = request.items.reduce(0) { $0 + $1.amount }
    return .rejected(
      Refusal(
        code: voucher?.code ?? code.normalizedCode,
        reason: Self.reason(error.error, voucher: voucher, orderAmount: subtotal, code: code)))
  }

  // MARK: Transport

  private func exchange(_ method: String, _ path: [String], body: Data?, retry: Bool? = nil)
    async throws(ClientError) -> HTTPTransport.Answer
  {
    // A validate changes nothing, and an apply is idempotent: both may go again.
    let repeatable = retry ?? true
    var tries = 0
    while true {
      tries += 1
      switch await send(
        method, path, body: body, timeout: readTimeout, isSafeToRepeat: repeatable)
      {
      case .success(let answer):
        if answer.status == 401 || answer.status == 403 || answer.status == 429 {
          let error = try? PlainWire.decode(PlainError.self, answer.body)
          let message = error?.error.message ?? "HTTP \(answer.status)"
          throw answer.status == 429 ? .backendFailed(message) : .notAllowed(message)
        }
        return answer
      case .failure(.timedOut): throw .timedOut
      case .failure(.notSent(let detail)), .failure(.lost(let detail)):
        if repeatable && tries < 2 { continue }
        throw .unreachable(detail)
      }
    }
  }

  private func send(
    _ method: String, _ path: [String], query: [(String, String)] = [], body: Data?,
    timeout: TimeInterval, isSafeToRepeat: Bool
  ) async -> Result<HTTPTransport.Answer, TransportFailure> {
    guard let url = HTTPTransport.url(baseURL, path, query: query) else {
      return .failure(.notSent("bad URL"))
    }
    var headers = [
      (name: "Authorization", value: "Bearer \(token)"),
      (name: "Accept", value: "application/json"),
    ]
    if body != nil { headers.append((name: "Content-Type", value: "application/json")) }
    return await transport.send(
      HTTPTransport.Request(
        method: method, url: url, headers: headers, body: body, isSafeToRepeat: isSafeToRepeat),
      timeout: timeout)
  }

  private static func decode<T: Decodable>(_ type: T.Type, _ answer: HTTPTransport.Answer)
    throws(ClientError) -> T
  {
    guard (200..<300).contains(answer.status) else {
      let error = try? PlainWire.decode(PlainError.self, answer.body)
      throw .backendFailed(error?.error.message ?? "HTTP \(answer.status)")
    }
    do { return try PlainWire.decode(type, answer.body) } catch {
      throw .backendFailed("the server's answer could not be read (\(error))")
    }
  }
}
