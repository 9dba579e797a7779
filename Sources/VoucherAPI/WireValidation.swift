import Foundation
import VoucherEngine

/// Voucherify's `stacking_rules`, required in a validation answer. Ours are fixed: up to 30
/// codes, all or nothing, applied in the order requested.
public struct WireStackingRules: Codable, Sendable, Equatable {
  public var redeemablesLimit = RedemptionRequest.maximumCodes
  public var applicableRedeemablesLimit = RedemptionRequest.maximumCodes
  public var applicableRedeemablesPerCategoryLimit = RedemptionRequest.maximumCodes
  public var applicableExclusiveRedeemablesLimit = 1
  public var applicableExclusiveRedeemablesPerCategoryLimit = 1
  public var exclusiveCategories: [String] = []
  public var jointCategories: [String] = []
  public var redeemablesApplicationMode = "ALL"
  public var redeemablesSortingRule = "REQUESTED_ORDER"
  public var redeemablesProductsApplicationMode = "STACK"
  public var redeemablesNoEffectRule = "REDEEM_ANYWAY"
  public var noEffectSkipCategories: [String] = []
  public var noEffectRedeemAnywayCategories: [String] = []
  public var redeemablesRollbackOrderMode = "WITH_ORDER"

  public init() {}

  enum CodingKeys: String, CodingKey {
    case redeemablesLimit = "redeemables_limit"
    case applicableRedeemablesLimit = "applicable_redeemables_limit"
    case applicableRedeemablesPerCategoryLimit = "applicable_redeemables_per_category_limit"
    case applicableExclusiveRedeemablesLimit = "applicable_exclusive_redeemables_limit"
    case applicableExclusiveRedeemablesPerCategoryLimit =
      "applicable_exclusive_redeemables_per_category_limit"
    case exclusiveCategories = "exclusive_categories"
    case jointCategories = "joint_categories"
    case redeemablesApplicationMode = "redeemables_application_mode"
    case redeemablesSortingRule = "redeemables_sorting_rule"
    case redeemablesProductsApplicationMode = "redeemables_products_application_mode"
    case redeemablesNoEffectRule = "redeemables_no_effect_rule"
    case noEffectSkipCategories = "no_effect_skip_categories"
    case noEffectRedeemAnywayCategories = "no_effect_redeem_anyway_categories"
    case redeemablesRollbackOrderMode = "redeemables_rollback_order_mode"
  }
}

/// What one code gives (`discount` or `gift`), or why not (`error`).
public struct WireRedeemableOutcome: Codable, Sendable, Equatable {
  public var discount: WireDiscount?
  public var gift: WireRedemptionGiftResult?
  public var error: APIError?

  init(discount: WireDiscount? = nil, gift: WireRedemptionGiftResult? = nil, error: APIError? = nil)
  {
    (self.discount, self.gift, self.error) = (discount, gift, error)
  }

  init(_ entry: RedeemableResult, currency: String) {
    if let reason = entry.refusal {
      self.init(error: APIError(Refusal(code: entry.code, reason: reason), currency: currency))
      return
    }
    switch entry.voucher?.kind {
    case .discount(let discount)?: self.init(discount: WireDiscount(discount))
    case .gift(_, let balance)?:
      self.init(gift: WireRedemptionGiftResult(balance: balance, credits: entry.giftCredits))
    case nil: self.init()
    }
  }
}

/// A gift card's part in a validation: its balance and the credits it would pay.
public struct WireRedemptionGiftResult: Codable, Sendable, Equatable {
  public var balance: Int64
  public var credits: Int64
}

/// One code's outcome in a validation: Voucherify's `APPLICABLE`/`INAPPLICABLE` redeemable,
/// with ours: the voucher (with its status) and the amounts it gives.
public struct WireRedeemableResult: Codable, Sendable, Equatable {
  public var status: String
  public var id: String
  public var object = "voucher"
  public var result: WireRedeemableOutcome
  public var voucher: WireVoucher?
  public var discountAmount: Int64
  public var giftCredits: Int64

  enum CodingKeys: String, CodingKey {
    case status, id, object, result, voucher
    case discountAmount = "discount_amount"
    case giftCredits = "gift_credits"
  }

  public init(_ entry: RedeemableResult, currency: String) {
    status = Self.status(entry)
    id = entry.code
    result = WireRedeemableOutcome(entry, currency: currency)
    voucher = entry.voucher.map { WireVoucher($0, status: entry.status) }
    discountAmount = entry.discount
    giftCredits = entry.giftCredits
  }

  static func status(_ entry: RedeemableResult) -> String {
    entry.refusal == nil ? "APPLICABLE" : "INAPPLICABLE"
  }

  /// The engine's per-code result, or nil when the entry is incomplete.
  public func engineValue() -> RedeemableResult? {
    var refusal: Reason?
    if status != "APPLICABLE" {
      guard let reason = result.error?.refusal?.reason else { return nil }
      refusal = reason
    }
    return RedeemableResult.restored(
      code: id, voucher: voucher?.engineValue(), status: voucher?.status, refusal: refusal,
      discount: discountAmount, giftCredits: giftCredits)
  }
}

/// `POST /v1/validations`, with ours: `currency` and the customer the request named.
public struct WireValidation: Codable, Sendable, Equatable {
  public var valid: Bool
  public var redeemables: [WireRedeemableResult]
  public var order: WireOrder
  public var stackingRules = WireStackingRules()
  public var currency: String
  public var customer: WireCustomer?
  /// The session that holds the validated vouchers, when the request asked for one.
  public var session: WireSession?

  enum CodingKeys: String, CodingKey {
    case valid, redeemables, order, currency, customer, session
    case stackingRules = "stacking_rules"
  }

  public init(_ result: ValidationResult, request: RedemptionRequest) {
    valid = result.valid
    redeemables = result.redeemables.map { WireRedeemableResult($0, currency: result.currency) }
    order = WireOrder(result, request: request)
    currency = result.currency
    customer = result.customer.map(WireCustomer.init)
    session = result.session.map(WireSession.init)
  }

  /// The engine's validation result, or nil when the answer is incomplete.
  public func engineValue() -> ValidationResult? {
    var entries: [RedeemableResult] = []
    for entry in redeemables {
      guard let value = entry.engineValue() else { return nil }
      entries.append(value)
    }
    return ValidationResult.restored(
      valid: valid, redeemables: entries, orderAmount: order.amount ?? 0,
      discountAmount: order.discountAmount ?? 0, giftCredits: order.giftCredits ?? 0,
      totalAmount: order.totalAmount ?? 0, customer: customer?.engineValue(), currency: currency)
  }
}

/// Voucherify's customer redeemable: one voucher a customer holds, with its status.
public struct WireCustomerRedeemable: Codable, Sendable, Equatable {
  public var id: String
  public var createdAt: String
  public var redeemableId: String
  public var redeemableObject = "voucher"
  public var customerId: String
  public var holderRole = "OWNER"
  @NullEncoded public var campaignId: String?
  public var campaignType: String
  public var voucherType: String
  public var redeemable: Redeemable
  public var object = "customer_redeemable"

  public struct Redeemable: Codable, Sendable, Equatable {
    public var type = "voucher"
    public var voucher: WireVoucher
    public var status: VoucherStatus
  }

  enum CodingKeys: String, CodingKey {
    case id, redeemable, object
    case createdAt = "created_at"
    case redeemableId = "redeemable_id"
    case redeemableObject = "redeemable_object"
    case customerId = "customer_id"
    case holderRole = "holder_role"
    case campaignId = "campaign_id"
    case campaignType = "campaign_type"
    case voucherType = "voucher_type"
  }

  public init(_ listed: ListedVoucher, customerId: String) {
    let voucher = listed.voucher
    id = "cr_" + voucher.id
    createdAt = WireFormat.date(voucher.createdAt)
    redeemableId = voucher.id
    self.customerId = customerId
    campaignType = voucher.kind.typeName == "GIFT_VOUCHER" ? "GIFT_VOUCHERS" : "DISCOUNT_COUPONS"
    voucherType = voucher.kind.typeName
    redeemable = Redeemable(
      voucher: WireVoucher(voucher, status: listed.status), status: listed.status)
  }
}

/// `GET /v1/customers/{id}/redeemables`.
public struct WireCustomerRedeemableList: Codable, Sendable, Equatable {
  public var object = "list"
  public var dataRef = "data"
  public var data: [WireCustomerRedeemable]
  public var total: Int
  public var hasMore: Bool

  enum CodingKeys: String, CodingKey {
    case object, data, total
    case dataRef = "data_ref"
    case hasMore = "has_more"
  }

  public init(_ page: VoucherPage, customerId: String) {
    data = page.items.map { WireCustomerRedeemable($0, customerId: customerId) }
    total = page.total
    hasMore = page.page * page.limit < page.total
  }
}

/// `GET /health`.
public struct WireHealth: Codable, Sendable, Equatable {
  public var status: String
  public var schemaVersion: Int
  /// The extensions this server serves (also in every answer's
  /// `X-Voucher-Engine-Capabilities` header).
  public var capabilities: [String]?

  enum CodingKeys: String, CodingKey {
    case status, capabilities
    case schemaVersion = "schema_version"
  }

  public init(status: String, schemaVersion: Int, capabilities: [String]? = nil) {
    self.status = status
    self.schemaVersion = schemaVersion
    self.capabilities = capabilities
  }
}

// Decoding what a Voucherify tenant sends (see `Wire+Decoding.swift`).
extension WireCustomerRedeemable {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    createdAt = try c.value(.createdAt, or: "")
    redeemableId = try c.value(.redeemableId, or: "")
    redeemableObject = try c.value(.redeemableObject, or: "voucher")
    customerId = try c.value(.customerId, or: "")
    holderRole = try c.value(.holderRole, or: "OWNER")
    _campaignId = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .campaignId))
    campaignType = try c.value(.campaignType, or: "")
    voucherType = try c.value(.voucherType, or: "")
    redeemable = try c.decode(Redeemable.self, forKey: .redeemable)
    object = try c.value(.object, or: "customer_redeemable")
  }
}
