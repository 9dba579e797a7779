import Foundation

/// Why the engine refused something. Each case carries what the cashier needs to hear, and
/// `key` is the Voucherify error key the REST API reports.
public enum Reason: Error, Equatable, Sendable {
  /// No voucher with this code (or it was deleted).
  case notFound(code: String)
  /// The voucher's validity ended at `expiredAt`.
  case voucherExpired(expiredAt: Date)
  /// No customer matches the id, source id or email given.
  case customerNotFound(reference: String)
  /// No redemption has this id.
  case redemptionNotFound(id: String)
  /// A voucher with this code exists already.
  case duplicateCode(code: String)
  /// The voucher becomes valid at `startsAt`.
  case voucherNotActive(startsAt: Date)
  /// The voucher was switched off.
  case voucherDisabled
  /// Every use is spent; `lastUse` tells when and where the last one went.
  case quantityExceeded(lastUse: UseRecord?)
  /// The voucher belongs to another customer.
  case boundToAnotherCustomer
  /// This customer has used the voucher as often as allowed.
  case perCustomerLimitReached(limit: Int64)
  /// The voucher is bound to a customer and none was given.
  case missingCustomer
  /// The voucher is limited to `limit` uses per customer, and no customer was given.
  case missingCustomerForLimit(limit: Int64)
  /// The order is below the voucher's minimum.
  case orderBelowMinimum(minimum: Int64, orderAmount: Int64)
  /// No item in the cart is one the voucher applies to.
  case noApplicableItem
  /// A gift card asked to pay more than it holds (`balance` 0 means it is empty).
  case giftAmountExceeded(balance: Int64, requested: Int64)
  /// The redemption has already been rolled back.
  case alreadyRolledBack
  /// The same code appears twice in one request.
  case duplicatedRedeemables(code: String)
  /// The request itself is malformed; the text says how.
  case invalidPayload(String)
  /// The voucher has been reactivated as many times as allowed.
  case reactivationLimitExceeded(limit: Int64)
  /// Reactivation asked for a voucher that can still be used: nothing to give back.
  case voucherStillActive
  /// The redeem attempt with this key was closed by the fence (`VoucherEngine.closeAttempt`)
  /// before it arrived: it will never be made. A retry is a new attempt with a new key.
  case attemptClosed(key: String)
  /// The voucher is valid on other days of the week only (0 Sunday … 6 Saturday).
  case notValidToday(validDays: [Int])
  /// The voucher is valid at other hours only; `windows` are today's (`09:00–17:00`), empty
  /// when it has none today.
  case outsideValidHours(windows: [String])
  /// The voucher's recurring window is closed now; it opens again at `nextStart` (nil when
  /// the voucher has no start date to count from).
  case outsideTimeframe(nextStart: Date?)
  /// Another till's validation session holds what is left of the voucher until `until`.
  case heldBySession(until: Date)

  /// The machine-readable key (Voucherify's where it has one).
  public var key: String {
    switch self {
    case .notFound: "not_found"
    case .customerNotFound, .redemptionNotFound: "not_found"
    case .duplicateCode: "duplicate_found"
    case .voucherExpired: "voucher_expired"
    case .voucherNotActive: "voucher_not_active"
    case .voucherDisabled: "voucher_disabled"
    case .quantityExceeded: "quantity_exceeded"
    case .boundToAnotherCustomer, .perCustomerLimitReached: "customer_rules_violated"
    case .missingCustomer, .missingCustomerForLimit: "missing_customer"
    case .orderBelowMinimum, .noApplicableItem: "order_rules_violated"
    case .giftAmountExceeded: "gift_amount_exceeded"
    case .alreadyRolledBack: "already_rolled_back"
    case .duplicatedRedeemables: "duplicated_redeemables"
    case .invalidPayload: "invalid_payload"
    case .reactivationLimitExceeded: "reactivation_limit_exceeded"
    case .voucherStillActive: "voucher_still_active"
    case .attemptClosed: "attempt_closed"
    case .notValidToday, .outsideValidHours, .outsideTimeframe: "voucher_not_active"
    case .heldBySession: "multiple_requests"
    }
  }
}

/// When and where a voucher was last used: enough for "Already used on 3 Nov at till 02".
public struct UseRecord: Equatable, Sendable, Codable {
  public let date: Date
  public let terminal: String?

  public init(date: Date, terminal: String?) {
    self.date = date
    self.terminal = terminal
  }
}

/// A refusal of one code: the code as typed and why.
public struct Refusal: Error, Equatable, Sendable {
  /// The code the refusal is about, when it is about one.
  public let code: String?
  public let reason: Reason
  /// What else the cashier must know, said after the reason: a back end that redeems the
  /// codes of a sale one by one says here which were given back when a later one was refused.
  public let note: String?

  public init(code: String?, reason: Reason, note: String? = nil) {
    self.code = code
    self.reason = reason
    self.note = note
  }
}
