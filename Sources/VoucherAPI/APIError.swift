import Foundation
import VoucherEngine

/// The error object of every failed request: Voucherify's `{code, key, message, details,
/// request_id}`, plus `resource_type`/`resource_id` and, ours, `context`: the values behind
/// the reason (a date, a balance, a limit) so a client can rebuild the exact refusal.
public struct APIError: Codable, Sendable, Equatable, Error {
  /// The HTTP status, repeated.
  public var code: Int
  /// Machine-readable: `not_found`, `voucher_expired`, `unauthorized`, …
  public var key: String
  /// What went wrong, for a person (for refusals: the cashier's sentence).
  public var message: String
  @NullEncoded public var details: String?
  @NullEncoded public var requestId: String?
  /// What was not found or refused: `voucher`, `customer`, `redemption`, `api_key`.
  public var resourceType: String?
  public var resourceId: String?
  /// Ours: the reason's values, by name.
  public var context: [String: String]?

  enum CodingKeys: String, CodingKey {
    case code, key, message, details, context
    case requestId = "request_id"
    case resourceType = "resource_type"
    case resourceId = "resource_id"
  }

  public init(
    code: Int, key: String, message: String, details: String? = nil, requestId: String? = nil,
    resourceType: String? = nil, resourceId: String? = nil, context: [String: String]? = nil
  ) {
    self.code = code
    self.key = key
    self.message = message
    self.details = details
    self.requestId = requestId
    self.resourceType = resourceType
    self.resourceId = resourceId
    self.context = context
  }

  // MARK: Protocol errors (not refusals by a rule)

  /// 400 for a body or parameter that cannot be read.
  public static func invalidPayload(_ detail: String) -> APIError {
    APIError(
      code: 400, key: "invalid_payload", message: "Invalid payload", details: detail,
      context: ["detail": detail])
  }

  /// 400 for a query parameter that is unknown, or a filter this server does not implement
  /// (it would otherwise be ignored and the list wrongly wide).
  public static func invalidQueryParams(_ detail: String) -> APIError {
    APIError(
      code: 400, key: "invalid_query_params", message: "Invalid query params", details: detail,
      context: ["detail": detail])
  }

  /// 401: no key, an unknown key, a wrong token or a revoked key (indistinguishable).
  public static let unauthorized = APIError(
    code: 401, key: "unauthorized", message: "Unauthorized",
    details: "Send a valid X-App-Id and X-App-Token (or Authorization: Bearer APP_ID:TOKEN).")

  /// 403: the key's role may not do this.
  public static func forbidden(role: APIRole, needs: APIRole) -> APIError {
    APIError(
      code: 403, key: "forbidden", message: "Forbidden",
      details: "A \(role.rawValue) key cannot do this; it needs the \(needs.rawValue) role.")
  }

  /// 404 for a path the API does not serve.
  public static func noRoute(_ method: String, _ path: String) -> APIError {
    APIError(
      code: 404, key: "not_found", message: "Resource not found",
      details: "No route for \(method) \(path).", resourceType: "route")
  }

  /// 405 for a known path with another method.
  public static func methodNotAllowed(_ method: String, _ path: String) -> APIError {
    APIError(
      code: 405, key: "method_not_allowed", message: "Method not allowed",
      details: "\(path) does not take \(method).")
  }

  /// 413 for a body over the limit.
  public static func tooLarge(limit: Int) -> APIError {
    APIError(
      code: 413, key: "payload_too_large", message: "Payload too large",
      details: "Request bodies are limited to \(limit) bytes.")
  }

  /// 500: the engine failed (database, disk). The detail stays in the server's log.
  public static let internalError = APIError(
    code: 500, key: "internal_error", message: "Internal error",
    details: "The server could not complete the request; see its log.")

  /// 503: the database stayed locked by another process.
  public static let busy = APIError(
    code: 503, key: "busy", message: "Service unavailable",
    details: "The database is busy; try again.")

  /// 503: the database server does not answer (down or restarting).
  public static let databaseUnavailable = APIError(
    code: 503, key: "database_unavailable", message: "Service unavailable",
    details: "The database does not answer; try again.")
}

extension APIError {
  /// The error object and HTTP status for a refusal.
  public init(_ refusal: Refusal, currency: String = "SEK") {
    let reason = refusal.reason
    let sentence = CashierWords.sentence(
      for: reason, currency: currency, timeZone: TimeZone(identifier: "UTC")!)
    var context: [String: String] = [:]
    var resourceType: String? = refusal.code == nil ? nil : "voucher"
    var resourceId: String? = refusal.code
    var status = 400
    switch reason {
    case .notFound(let code):
      (status, resourceType, resourceId) = (404, "voucher", code)
      context["code"] = code
    case .customerNotFound(let reference):
      (status, resourceType, resourceId) = (404, "customer", reference)
      context["reference"] = reference
    case .redemptionNotFound(let id):
      (status, resourceType, resourceId) = (404, "redemption", id)
      context["id"] = id
    case .duplicateCode(let code):
      status = 409
      context["code"] = code
    case .voucherExpired(let date): context["expired_at"] = WireFormat.date(date)
    case .voucherNotActive(let date): context["starts_at"] = WireFormat.date(date)
    case .quantityExceeded(let lastUse):
      if let lastUse {
        context["last_used_at"] = WireFormat.date(lastUse.date)
        context["last_used_terminal"] = lastUse.terminal
      }
    case .perCustomerLimitReached(let limit), .missingCustomerForLimit(let limit):
      context["limit"] = String(limit)
    case .orderBelowMinimum(let minimum, let amount):
      context["minimum"] = String(minimum)
      context["order_amount"] = String(amount)
    case .giftAmountExceeded(let balance, let requested):
      context["balance"] = String(balance)
      context["requested"] = String(requested)
    case .duplicatedRedeemables(let code): context["code"] = code
    case .invalidPayload(let detail): context["detail"] = detail
    case .reactivationLimitExceeded(let limit): context["limit"] = String(limit)
    case .attemptClosed(let key):
      status = 409
      context["attempt"] = key
    case .notValidToday(let days):
      context["valid_days"] = days.map(String.init).joined(separator: ",")
    case .outsideValidHours(let windows): context["valid_hours"] = windows.joined(separator: ",")
    case .outsideTimeframe(let next): context["next_start"] = next.map(WireFormat.date)
    case .heldBySession(let until):
      status = 409
      context["held_until"] = WireFormat.date(until)
    case .voucherDisabled, .boundToAnotherCustomer, .missingCustomer, .noApplicableItem,
      .alreadyRolledBack, .voucherStillActive:
      break
    }
    let kind =
      switch reason {
      case .boundToAnotherCustomer: "bound_to_another_customer"
      case .perCustomerLimitReached, .missingCustomerForLimit: "per_customer_limit"
      case .orderBelowMinimum: "order_below_minimum"
      case .noApplicableItem: "no_applicable_item"
      case .notValidToday: "validity_day_of_week"
      case .outsideValidHours: "validity_hours"
      case .outsideTimeframe: "validity_timeframe"
      default: ""
      }
    if !kind.isEmpty { context["rule"] = kind }
    // The code exactly as the request had it, so a client rebuilds the very same refusal.
    if let subject = refusal.code { context["subject"] = subject }
    self.init(
      code: status, key: reason.key, message: sentence,
      details: refusal.code.map { "\($0): \(sentence)" } ?? sentence, requestId: nil,
      resourceType: resourceType, resourceId: resourceId, context: context)
  }

  /// The refusal this error object describes, when it describes one: the reverse of
  /// `init(_ refusal:)`. Nil for protocol errors (unauthorized, too large, internal, …).
  public var refusal: Refusal? {
    let isTenants = context == nil
    let context = context ?? [:]
    // A tenant's error has no `context` (ours): the voucher is its `resource_id`.
    let code = context["subject"] ?? (resourceType == "voucher" ? resourceId : nil)
    // What a tenant's refusal says when it lacks the figures one of ours carries: its own
    // sentence, the only thing known.
    let stated = Refusal(code: code, reason: .invalidPayload(message))
    func date(_ name: String) -> Date? { context[name].flatMap(WireFormat.date(from:)) }
    func number(_ name: String) -> Int64? { context[name].flatMap { Int64($0) } }
    let reason: Reason
    switch key {
    case "not_found":
      switch resourceType {
      case "customer":
        reason = .customerNotFound(reference: context["reference"] ?? resourceId ?? "")
      case "redemption": reason = .redemptionNotFound(id: context["id"] ?? resourceId ?? "")
      case "voucher": reason = .notFound(code: context["code"] ?? resourceId ?? "")
      default: return nil
      }
    case "duplicate_found": reason = .duplicateCode(code: context["code"] ?? resourceId ?? "")
    case "voucher_expired":
      guard let at = date("expired_at") else { return stated }
      reason = .voucherExpired(expiredAt: at)
    case "voucher_not_active":
      switch context["rule"] {
      case "validity_day_of_week":
        reason = .notValidToday(
          validDays: (context["valid_days"] ?? "").split(separator: ",").compactMap { Int($0) })
      case "validity_hours":
        reason = .outsideValidHours(
          windows: (context["valid_hours"] ?? "").split(separator: ",").map(String.init))
      case "validity_timeframe": reason = .outsideTimeframe(nextStart: date("next_start"))
      default:
        guard let at = date("starts_at") else { return stated }
        reason = .voucherNotActive(startsAt: at)
      }
    case "multiple_requests":
      guard let until = date("held_until") else { return stated }
      reason = .heldBySession(until: until)
    case "voucher_disabled": reason = .voucherDisabled
    case "quantity_exceeded":
      reason = .quantityExceeded(
        lastUse: date("last_used_at").map {
          UseRecord(date: $0, terminal: context["last_used_terminal"])
        })
    case let tenants
    where isTenants
      && ["customer_rules_violated", "order_rules_violated", "gift_amount_exceeded"].contains(
        tenants):
      return stated
    case "customer_rules_violated":
      if context["rule"] == "per_customer_limit" {
        reason = .perCustomerLimitReached(limit: number("limit") ?? 0)
      } else {
        reason = .boundToAnotherCustomer
      }
    case "missing_customer":
      if context["rule"] == "per_customer_limit" {
        reason = .missingCustomerForLimit(limit: number("limit") ?? 0)
      } else {
        reason = .missingCustomer
      }
    case "order_rules_violated":
      if context["rule"] == "order_below_minimum" {
        reason = .orderBelowMinimum(
          minimum: number("minimum") ?? 0, orderAmount: number("order_amount") ?? 0)
      } else {
        reason = .noApplicableItem
      }
    case "gift_amount_exceeded":
      reason = .giftAmountExceeded(
        balance: number("balance") ?? 0, requested: number("requested") ?? 0)
    case "already_rolled_back": reason = .alreadyRolledBack
    case "duplicated_redeemables":
      reason = .duplicatedRedeemables(code: context["code"] ?? resourceId ?? "")
    case "invalid_payload": reason = .invalidPayload(context["detail"] ?? details ?? message)
    case "reactivation_limit_exceeded":
      reason = .reactivationLimitExceeded(limit: number("limit") ?? 0)
    case "voucher_still_active": reason = .voucherStillActive
    case "attempt_closed": reason = .attemptClosed(key: context["attempt"] ?? "")
    default: return nil
    }
    return Refusal(code: code, reason: reason)
  }
}
