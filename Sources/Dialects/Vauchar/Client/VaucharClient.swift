import Foundation
import VaucharWire
import VoucherClient
import VoucherEngine
import VoucherRESTClient

/// `VoucherClient` for Vauchar (`https://api.vauchar.com`, or `voucher-engine serve`, which
/// serves the same routes): Basic auth with the merchant id and API key.
///
/// What Vauchar can do decides what the till does here:
/// - No contact lookup: the till opens on code entry. A customer reference the cashier adds
///   is sent as `user_id` (and as `user_email` or `user_phone` when it is one).
/// - Validation is by code only (`GET /vouchers/validate`), without a cart: the till works
///   out the discount from the voucher's value, and Vauchar checks nothing more.
/// - One voucher per sale: each redemption is its own request on its own voucher.
/// - No fence and no documented processing limit. After a redeem that did not answer, the
///   till lists the voucher's redemptions and looks for the sale's `transaction_id`: found
///   is "redeemed"; not found stays "not known yet", because a request still on its way may
///   land after the read, and Vauchar says nothing about how long one can take.
/// - Support gives a use back by deleting the redemption.
public final class VaucharClient: CodeOnlyClient {
  public let systemName = "Vauchar"

  public let baseURL: URL
  let merchantId: String
  private let apiKey: String
  public let readTimeout: TimeInterval
  private let transport: HTTPTransport
  /// Sent as `user_id` when the sale names no customer: Vauchar requires one.
  public static let anonymousUser = "anonymous"

  public var backendDescription: String { baseURL.absoluteString }

  /// - Parameters:
  ///   - baseURL: Vauchar's (or our server's) root, without a path.
  ///   - merchantId, apiKey: the Basic credentials (our server: a key's app id and token).
  public init(
    baseURL: URL, merchantId: String, apiKey: String, readTimeout: TimeInterval = 10,
    transport: HTTPTransport = HTTPTransport()
  ) {
    self.baseURL = baseURL
    self.merchantId = merchantId
    self.apiKey = apiKey
    self.readTimeout = readTimeout
    self.transport = transport
  }

  public var capabilities: BackendCapabilities {
    BackendCapabilities(
      contactSearch: [], validation: .till, stacking: .single,
      redeemGuarantee: .foundOnly(
        source:
          "Vauchar documents no processing time limit and no idempotency for redemptions "
          + "(vauchar.gitbook.io: Voucher Redemptions)"),
      unRedeem: .delete, listsDaysSales: false)
  }

  // MARK: Vouchers

  public func voucher(code: String) async throws(ClientError) -> Voucher? {
    try await validation(of: code)?.voucher
  }

  /// What Vauchar says of `code`, with the engine's voucher; nil when the code is unknown.
  private func validation(of code: String) async throws(ClientError) -> (
    wire: VaucharValidation, voucher: Voucher
  )? {
    let text = code.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty else { return nil }
    let answer = try await exchange(
      "GET", ["vouchers", "validate"], query: [("voucher_code", text)], body: nil)
    if answer.status == 404 { return nil }
    let wire = try Self.decode(VaucharValidation.self, answer)
    guard let voucher = wire.data.engineValue(status: wire.validationStatus) else {
      throw .backendFailed("Vauchar sent a voucher value the till cannot read")
    }
    return (wire, voucher)
  }

  public func validate(_ request: RedemptionRequest) async throws(ClientError) -> ValidationResult {
    try Self.checkOneCode(request)
    let subtotal = request.items.reduce(0) { $0 + $1.amount }
    let code = request.codes[0].code
    guard let found = try await validation(of: code) else {
      return .codeNotFound(code, orderAmount: subtotal)
    }
    let refusal = found.wire.validationStatus.reason(code: code, voucher: found.voucher)
    let discount = refusal == nil ? Self.discount(of: found.voucher, on: subtotal) : 0
    let status: VoucherStatus =
      switch found.wire.validationStatus.status {
      case VaucharValidationStatus.valid: .active
      case VaucharValidationStatus.expired: .expired
      case VaucharValidationStatus.redeemed: .used
      case VaucharValidationStatus.notActiveYet: .notActiveYet
      default: .disabled
      }
    let result = RedeemableResult.restored(
      code: found.voucher.code, voucher: found.voucher, status: status, refusal: refusal,
      discount: discount, giftCredits: 0)
    return .restored(
      valid: refusal == nil, redeemables: [result], orderAmount: subtotal,
      discountAmount: discount, giftCredits: 0, totalAmount: subtotal - discount, customer: nil,
      currency: found.voucher.currency)
  }

  /// The discount the till works out: Vauchar validates without a cart.
  static func discount(of voucher: Voucher, on subtotal: Int64) -> Int64 {
    switch voucher.kind {
    case .discount(.percent(let basisPoints, let limit)):
      min(Money.percent(of: subtotal, basisPoints: basisPoints), limit ?? .max)
    case .discount(.amount(let amount)): min(amount, subtotal)
    case .discount(.fixed), .gift: 0
    }
  }

  private static func checkOneCode(_ request: RedemptionRequest) throws(ClientError) {
    guard request.codes.count == 1 else {
      throw .rejected(
        Refusal(
          code: request.codes.dropFirst().first?.code,
          reason: .invalidPayload("Vauchar takes one voucher per sale")))
    }
  }

  // MARK: Redeem

  public func redeem(_ attempt: RedeemAttempt, deadline: Date) async throws(ClientError)
    -> RedeemOutcome
  {
    let order = attempt.orderSourceId
    try Self.checkOneCode(attempt.request)
    let checked = try await validate(attempt.request)
    if let refusal = checked.firstRefusal { throw .rejected(refusal) }
    guard let voucher = checked.redeemables.first?.voucher else {
      throw .backendFailed("Vauchar sent no voucher")
    }
    let body = VaucharWire.encode(
      Self.redemptionRequest(attempt.request, valueUsed: checked.discountAmount))
    let timeLeft = deadline.timeIntervalSinceNow
    guard timeLeft > 0 else { throw .outcomeUnknown(orderSourceId: order) }
    let answer: HTTPTransport.Answer
    switch await send(
      "POST", ["vouchers", voucher.id, "redemptions"], query: [], body: body, timeout: timeLeft,
      isSafeToRepeat: false)
    {
    case .success(let value): answer = value
    case .failure(.notSent(let detail)): throw .unreachable(detail)
    case .failure(.timedOut), .failure(.lost): throw .outcomeUnknown(orderSourceId: order)
    }
    if answer.status >= 500 { throw .outcomeUnknown(orderSourceId: order) }
    guard (200..<300).contains(answer.status) else { throw Self.error(answer, code: voucher.code) }
    guard let wire = try? VaucharWire.decode(VaucharRedemption.self, answer.body),
      let redemption = wire.engineValue(
        code: voucher.code, terminal: attempt.request.channel.terminal,
        cashier: attempt.request.channel.cashier, items: attempt.request.items)
    else { throw .outcomeUnknown(orderSourceId: order) }
    return .restored(redemption: redemption, isReplay: answer.status == 200)
  }

  static func redemptionRequest(_ request: RedemptionRequest, valueUsed: Int64)
    -> VaucharRedemptionRequest
  {
    let reference = request.customer?.trimmingCharacters(in: .whitespaces) ?? ""
    let isEmail = reference.contains("@")
    let isPhone =
      !isEmail && reference.count >= 6
      && reference.allSatisfy { $0.isNumber || " +-()".contains($0) }
    return VaucharRedemptionRequest(
      userId: reference.isEmpty ? anonymousUser : reference, userEmail: isEmail ? reference : nil,
      userPhone: isPhone ? reference : nil, transactionId: request.orderSourceId,
      valueUsed: VaucharMoney.decimal(valueUsed))
  }

  /// Found by the sale's transaction id among the voucher's redemptions, or unknown: a read
  /// cannot prove that a redeem still on its way will not land, and Vauchar gives no time
  /// after which it surely will not.
  public func resolve(_ attempt: RedeemAttempt) async throws(ClientError) -> AttemptResolution {
    guard let code = attempt.request.codes.first?.code,
      let found = try await validation(of: code)
    else {
      return .unknown("The voucher cannot be found at Vauchar now; ask again.")
    }
    let made = try await listed(found.voucher.id)
    if let wire = made.first(where: { $0.transactionId == attempt.orderSourceId }),
      let redemption = wire.engineValue(
        code: found.voucher.code, terminal: attempt.request.channel.terminal,
        cashier: attempt.request.channel.cashier, items: attempt.request.items)
    {
      return .made(redemption)
    }
    return .unknown(
      "No redemption for this sale at Vauchar yet. Vauchar gives no time after which a "
        + "redeem surely will not land: check again, or ask support.")
  }

  private func listed(_ voucherId: String) async throws(ClientError) -> [VaucharRedemption] {
    let answer = try await exchange(
      "GET", ["vouchers", voucherId, "redemptions"], query: [], body: nil)
    return try Self.decode(VaucharRedemptionList.self, answer).data
  }

  public func redemptions(ofOrder orderSourceId: String) async throws(ClientError) -> [Redemption] {
    throw .backendFailed("Vauchar lists redemptions per voucher, not per transaction")
  }

  /// Deletes the voucher's latest redemption (Vauchar's way of giving a use back). The
  /// reason stays with the till: Vauchar's delete takes none.
  public func reactivate(code: String, reason: String, by: String?) async throws(ClientError)
    -> Rollback
  {
    guard let found = try await validation(of: code) else {
      throw .rejected(
        Refusal(code: code.normalizedCode, reason: .notFound(code: code.normalizedCode)))
    }
    let made = try await listed(found.voucher.id)
    guard let latest = made.max(by: { $0.created < $1.created }) else {
      throw .rejected(Refusal(code: found.voucher.code, reason: .voucherStillActive))
    }
    // Not retried: a delete that arrived twice is harmless, but its failure must be seen.
    let answer = try await exchange(
      "DELETE", ["vouchers", found.voucher.id, "redemptions", latest.id], query: [], body: nil,
      retry: false)
    guard (200..<300).contains(answer.status) else {
      throw Self.error(answer, code: found.voucher.code)
    }
    return .restored(
      id: latest.id, redemptionId: latest.id, voucherId: found.voucher.id,
      voucherCode: found.voucher.code, amount: (try? Money.parse(latest.valueUsed)) ?? 0,
      reason: reason, by: by, date: Date(), reactivationsLeft: 0)
  }

  public func isReachable() async -> Bool {
    if case .success(let answer) = await send(
      "GET", ["verifycredentials"], query: [], body: nil, timeout: min(readTimeout, 3),
      isSafeToRepeat: true)
    {
      return answer.status == 200
    }
    return false
  }

  // MARK: Transport

  private func exchange(
    _ method: String, _ path: [String], query: [(String, String)], body: Data?,
    retry: Bool = true
  ) async throws(ClientError) -> HTTPTransport.Answer {
    var tries = 0
    while true {
      tries += 1
      switch await send(
        method, path, query: query, body: body, timeout: readTimeout, isSafeToRepeat: retry)
      {
      case .success(let answer):
        if answer.status == 401 || answer.status == 403 { throw Self.error(answer, code: nil) }
        return answer
      case .failure(.timedOut): throw .timedOut
      case .failure(.notSent(let detail)), .failure(.lost(let detail)):
        if retry && tries < 2 { continue }
        throw .unreachable(detail)
      }
    }
  }

  private func send(
    _ method: String, _ path: [String], query: [(String, String)], body: Data?,
    timeout: TimeInterval, isSafeToRepeat: Bool
  ) async -> Result<HTTPTransport.Answer, TransportFailure> {
    guard let url = HTTPTransport.url(baseURL, path, query: query) else {
      return .failure(.notSent("bad URL"))
    }
    let credential = Data("\(merchantId):\(apiKey)".utf8).base64EncodedString()
    var headers = [
      (name: "Authorization", value: "Basic \(credential)"),
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
    guard (200..<300).contains(answer.status) else { throw error(answer, code: nil) }
    do { return try VaucharWire.decode(type, answer.body) } catch {
      throw .backendFailed("Vauchar's answer could not be read (\(error))")
    }
  }

  /// The `ClientError` of an error answer. Vauchar publishes no error fields; our server's
  /// (`VaucharError`) carry the engine's reason key, read back where it is one of a till's.
  static func error(_ answer: HTTPTransport.Answer, code: String?) -> ClientError {
    let wire = try? VaucharWire.decode(VaucharError.self, answer.body)
    let message = wire?.message ?? "HTTP \(answer.status)"
    switch answer.status {
    case 401, 403: return .notAllowed(message)
    case 500...: return .backendFailed(message)
    default:
      let code = code?.normalizedCode
      let reason: Reason? =
        switch wire?.error {
        case "not_found": code.map { .notFound(code: $0) }
        case "quantity_exceeded": .quantityExceeded(lastUse: nil)
        case "voucher_disabled": .voucherDisabled
        case "voucher_still_active": .voucherStillActive
        case "reactivation_limit_exceeded": .invalidPayload(message)
        default: nil
        }
      if let reason { return .rejected(Refusal(code: code, reason: reason)) }
      return .rejected(Refusal(code: code, reason: .invalidPayload(message)))
    }
  }
}
