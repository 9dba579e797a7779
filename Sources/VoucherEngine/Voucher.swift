import Foundation

/// What a discount voucher takes off.
public enum Discount: Equatable, Sendable {
  /// A share of the applicable amount, in basis points (12.5 % = 1250), optionally capped.
  case percent(basisPoints: Int64, amountLimit: Int64?)
  /// A fixed amount off (capped at the applicable amount).
  case amount(Int64)
  /// The applicable amount becomes this price (nothing off when it is already below).
  case fixed(Int64)
}

/// The two kinds of voucher.
public enum VoucherKind: Equatable, Sendable {
  case discount(Discount)
  /// A gift card: `amount` loaded in all, `balance` left to spend.
  case gift(amount: Int64, balance: Int64)

  /// Voucherify's `type`.
  public var typeName: String {
    switch self {
    case .discount: "DISCOUNT_VOUCHER"
    case .gift: "GIFT_VOUCHER"
    }
  }
}

/// The status of a voucher as the till shows it (Voucherify's `redeemable.status`).
public enum VoucherStatus: String, Sendable, CaseIterable, Codable {
  case active = "ACTIVE"
  case used = "USED"
  case noBalance = "NO_BALANCE"
  case expired = "EXPIRED"
  case notActiveYet = "NOT_ACTIVE_YET"
  case disabled = "DISABLED"
}

/// The tabs of a contact's voucher list.
public enum VoucherFilter: String, Sendable, CaseIterable, Codable {
  case available, redeemed, expired, all

  /// Whether a voucher with `status` belongs under this tab.
  public func includes(_ status: VoucherStatus) -> Bool {
    switch self {
    case .available: status == .active
    case .redeemed: status == .used || status == .noBalance
    case .expired: status == .expired
    case .all: true
    }
  }
}

/// A voucher: a discount code or a gift card, possibly bound to one customer.
public struct Voucher: Equatable, Sendable {
  /// Ours: `v_…`.
  public var id: String
  /// Unique; stored upper-case.
  public var code: String
  public var campaign: String?
  public var kind: VoucherKind
  /// ISO 4217 code of every amount on the voucher.
  public var currency: String
  /// The customer id of the holder; a bound voucher is redeemable by the holder only.
  public var holderId: String?
  public var startDate: Date?
  public var expirationDate: Date?
  /// False when switched off (status DISABLED).
  public var active: Bool
  /// Total uses allowed; nil means unlimited.
  public var quantity: Int64?
  public var redeemedQuantity: Int64
  /// Uses allowed per customer; nil means no such limit.
  public var perCustomer: Int64?
  public var minOrderAmount: Int64?
  /// Product ids the voucher applies to; empty means every product.
  public var applicableTo: [String]
  /// Product ids it never applies to.
  public var inapplicableTo: [String]
  public var reactivationLimit: Int64
  public var reactivationCount: Int64
  /// Any JSON object, kept as it was given.
  public var metadata: JSONValue
  public var createdAt: Date
  public var updatedAt: Date
  /// Days, hours and recurring windows of validity (none by default).
  public var validity = ValidityRules()
  /// The most this voucher takes off one order, whatever its discount says.
  public var aggregatedAmountLimit: Int64? = nil
  /// Informational (Voucherify's names), kept and listed by: `category` is a filter of
  /// `GET /v1/vouchers`.
  public var category: String? = nil
  public var categoryId: String? = nil
  public var campaignId: String? = nil
  public var additionalInfo: String? = nil

  /// The status at `now`. A used-up voucher reads USED even after it expires: what happened
  /// to it matters more to the till than its date.
  public func status(at now: Date) -> VoucherStatus {
    if !active { return .disabled }
    if let quantity, redeemedQuantity >= quantity { return .used }
    if case .gift(_, let balance) = kind, balance <= 0 { return .noBalance }
    if let expirationDate, now > expirationDate { return .expired }
    if let startDate, now < startDate { return .notActiveYet }
    return .active
  }

  /// Uses left, or nil when unlimited.
  public var usesLeft: Int64? { quantity.map { max(0, $0 - redeemedQuantity) } }

  /// Reactivations still allowed.
  public var reactivationsLeft: Int64 { max(0, reactivationLimit - reactivationCount) }
}

/// What a caller sets when creating a voucher.
public struct VoucherDraft: Equatable, Sendable {
  /// The code to use; nil means generate one from `codePattern`.
  public var code: String?
  /// Used when `code` is nil. Default `VP-####-####`.
  public var codePattern: String?
  public var campaign: String?
  public var kind: VoucherKind
  public var currency: String
  /// Holder: a customer id, source id or email.
  public var holder: String?
  public var startDate: Date?
  public var expirationDate: Date?
  public var active: Bool
  public var quantity: Int64?
  public var perCustomer: Int64?
  public var minOrderAmount: Int64?
  public var applicableTo: [String]
  public var inapplicableTo: [String]
  public var reactivationLimit: Int64
  public var metadata: JSONValue
  public var validity = ValidityRules()
  public var aggregatedAmountLimit: Int64?
  public var category: String?
  public var categoryId: String?
  public var campaignId: String?
  public var additionalInfo: String?

  public init(
    code: String? = nil, codePattern: String? = nil, campaign: String? = nil, kind: VoucherKind,
    currency: String = "SEK", holder: String? = nil, startDate: Date? = nil,
    expirationDate: Date? = nil, active: Bool = true, quantity: Int64? = nil,
    perCustomer: Int64? = nil, minOrderAmount: Int64? = nil, applicableTo: [String] = [],
    inapplicableTo: [String] = [], reactivationLimit: Int64 = 3,
    metadata: JSONValue = .emptyObject
  ) {
    self.code = code
    self.codePattern = codePattern
    self.campaign = campaign
    self.kind = kind
    self.currency = currency
    self.holder = holder
    self.startDate = startDate
    self.expirationDate = expirationDate
    self.active = active
    self.quantity = quantity
    self.perCustomer = perCustomer
    self.minOrderAmount = minOrderAmount
    self.applicableTo = applicableTo
    self.inapplicableTo = inapplicableTo
    self.reactivationLimit = reactivationLimit
    self.metadata = metadata
  }
}

/// Changes to an existing voucher; nil leaves a field as it is. Double optionals clear a
/// field when set to `.some(nil)`.
public struct VoucherChanges: Equatable, Sendable {
  public var campaign: String??
  public var holder: String??
  public var startDate: Date??
  public var expirationDate: Date??
  public var active: Bool?
  public var quantity: Int64??
  public var perCustomer: Int64??
  public var minOrderAmount: Int64??
  public var applicableTo: [String]?
  public var inapplicableTo: [String]?
  public var discount: Discount?
  public var reactivationLimit: Int64?
  public var metadata: JSONValue?
  public var validity: ValidityRules?
  public var aggregatedAmountLimit: Int64??
  public var category: String??
  public var categoryId: String??
  public var additionalInfo: String??

  public init() {}
}

/// One page of a contact's vouchers, with the counts of every tab.
public struct VoucherPage: Equatable, Sendable {
  /// The vouchers on this page with their status now.
  public var items: [ListedVoucher]
  /// How many vouchers each tab holds (all pages).
  public var counts: [VoucherFilter: Int]
  /// Total vouchers under the requested filter.
  public var total: Int
  public var page: Int
  public var limit: Int
}

/// A voucher with its status at the time it was listed.
public struct ListedVoucher: Equatable, Sendable {
  public var voucher: Voucher
  public var status: VoucherStatus
}
