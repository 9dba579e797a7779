import Foundation

/// The outcome of checking one code against a cart.
public struct RedeemableResult: Equatable, Sendable {
  public var code: String
  /// The voucher, when the code exists.
  public var voucher: Voucher?
  /// Its status before this request.
  public var status: VoucherStatus?
  /// Nil when the code applies; otherwise why not.
  public var refusal: Reason?
  /// Discount this code gives (discount vouchers).
  public var discount: Int64
  /// Credits this code spends (gift cards).
  public var giftCredits: Int64

  public var isApplicable: Bool { refusal == nil }
}

/// The result of a validation: every code's outcome and the order's totals.
public struct ValidationResult: Equatable, Sendable {
  /// True when every code applies (stacking is all-or-nothing).
  public var valid: Bool
  public var redeemables: [RedeemableResult]
  /// Cart subtotal.
  public var orderAmount: Int64
  /// Sum of discounts (gift credits excluded).
  public var discountAmount: Int64
  /// Sum of gift card credits.
  public var giftCredits: Int64
  /// What the customer still pays: order − discounts − gift credits.
  public var totalAmount: Int64
  /// The customer the request named, when found.
  public var customer: Customer?
  /// The currency of the vouchers (the store's default when none was found).
  public var currency: String
  /// The session that now holds the validated vouchers, when the request opened one.
  public var session: SessionLock? = nil

  /// The first refusal, for one-line answers.
  public var firstRefusal: Refusal? {
    redeemables.first { $0.refusal != nil }.map { Refusal(code: $0.code, reason: $0.refusal!) }
  }
}

/// The order a redemption was made for, as stored with it.
public struct RedeemedOrder: Equatable, Sendable, Codable {
  /// Ours: `ord_…`.
  public var id: String
  public var sourceId: String?
  public var amount: Int64
  public var discountAmount: Int64
  public var giftCredits: Int64
  public var totalAmount: Int64
  public var items: [CartItem]
}

/// Voucherify's redemption `status`.
public enum RedemptionStatus: String, Sendable, Codable {
  case succeeded = "SUCCEEDED"
  case rolledBack = "ROLLED_BACK"
}

/// One redemption: a voucher used on an order, or (with `children`) a stacked redemption of
/// several codes at once.
public struct Redemption: Equatable, Sendable {
  /// Ours: `r_…`.
  public var id: String
  /// Set on a child of a stacked redemption.
  public var parentId: String?
  /// Nil on a parent of a stacked redemption.
  public var voucherId: String?
  public var voucherCode: String?
  public var customerId: String?
  public var order: RedeemedOrder
  /// The discount given, or the gift credits spent (a parent: the sum of its children).
  public var amount: Int64
  public var status: RedemptionStatus
  public var channel: Channel
  public var date: Date
  /// The gift balance left right after this redemption (gift cards only).
  public var giftBalanceAfter: Int64?
  /// The rollback that undid it.
  public var rollbackId: String?
  /// The redemptions of a stacked parent, in request order.
  public var children: [Redemption]
}

/// The answer to a redeem.
public struct RedeemOutcome: Equatable, Sendable {
  /// The redemption made: a parent with children when several codes were redeemed.
  public var redemption: Redemption
  /// True when this answer is the earlier redemption of the same order or idempotency key,
  /// returned again rather than made twice.
  public var isReplay: Bool

  /// One redemption per code, in request order.
  public var perCode: [Redemption] {
    redemption.children.isEmpty ? [redemption] : redemption.children
  }
}

/// A rollback (reactivation): one use given back, and gift credits returned.
public struct Rollback: Equatable, Sendable {
  /// Ours: `rr_…`.
  public var id: String
  public var redemptionId: String
  public var voucherId: String
  public var voucherCode: String
  public var amount: Int64
  public var reason: String
  public var by: String?
  public var date: Date
  /// Reactivations left on the voucher after this one.
  public var reactivationsLeft: Int64
}

/// Filters for redemption lookups; every set field must match.
public struct RedemptionQuery: Equatable, Sendable {
  public var code: String?
  /// Customer id, source id or email.
  public var customer: String?
  public var orderSourceId: String?
  /// The stacked parent whose parts are wanted.
  public var parentId: String?
  /// Vouchers of this campaign (by name).
  public var campaign: String?
  public var createdBefore: Date?
  public var createdAfter: Date?
  /// Made at this till (`channel.terminal`).
  public var terminal: String?
  /// `created_at`, `id`, `voucher_code` or `customer_id`; nil is newest first.
  public var order: ListOrder?
  public var limit: Int
  public var page: Int

  /// The sort fields a redemption list takes.
  public static let orderFields: Set<String> = ["created_at", "id", "voucher_code", "customer_id"]

  public init(
    code: String? = nil, customer: String? = nil, orderSourceId: String? = nil, limit: Int = 100,
    page: Int = 1
  ) {
    self.code = code
    self.customer = customer
    self.orderSourceId = orderSourceId
    self.limit = limit
    self.page = page
  }
}

/// One entry in the append-only audit trail.
public struct Event: Equatable, Sendable {
  public var sequence: Int64
  public var date: Date
  public var actor: String?
  /// `customer.created`, `voucher.created`, `voucher.redeemed`, `voucher.rolled_back`, …
  public var kind: String
  /// The id the event is about.
  public var subject: String
  /// JSON with the details.
  public var detail: String
}

/// What the fence answered for one redeem attempt (`VoucherEngine.closeAttempt(key:)`).
public enum AttemptFence: Equatable, Sendable {
  /// The attempt made this redemption (a stacked parent comes with its children).
  case made(Redemption)
  /// The attempt made nothing and never will: its redeem, if it still arrives, is refused.
  case closed
}
