import Foundation
import VoucherEngine

/// Voucherify's discount object: `PERCENT` (percent_off, amount_limit), `AMOUNT`
/// (amount_off) or `FIXED` (fixed_amount). Amounts are integer minor units; `percent_off` is
/// a decimal number of percent (12.5).
public struct WireDiscount: Codable, Sendable, Equatable {
  public var type: String
  public var percentOff: Decimal?
  public var amountLimit: Decimal?
  public var amountOff: Decimal?
  public var fixedAmount: Decimal?
  /// Voucherify's `effect`; only `APPLY_TO_ORDER`/`APPLY_TO_ITEMS` style values are read.
  public var effect: String?

  enum CodingKeys: String, CodingKey {
    case type, effect
    case percentOff = "percent_off"
    case amountLimit = "amount_limit"
    case amountOff = "amount_off"
    case fixedAmount = "fixed_amount"
  }

  public init(_ discount: Discount) {
    switch discount {
    case .percent(let basisPoints, let limit):
      type = "PERCENT"
      percentOff = WireFormat.percent(basisPoints: basisPoints)
      amountLimit = limit.map { Decimal($0) }
    case .amount(let amount):
      type = "AMOUNT"
      amountOff = Decimal(amount)
    case .fixed(let amount):
      type = "FIXED"
      fixedAmount = Decimal(amount)
    }
  }

  /// The engine's discount.
  ///
  /// - Throws: `APIError` (invalid payload) naming the field that is missing or wrong.
  public func engineValue() throws(APIError) -> Discount {
    func amount(_ value: Decimal?, _ name: String) throws(APIError) -> Int64 {
      guard let value else { throw .invalidPayload("discount.\(name) is required") }
      guard let whole = WireFormat.wholeAmount(value) else {
        throw .invalidPayload("discount.\(name) must be a whole amount in minor units, 0 or more")
      }
      return whole
    }
    switch type {
    case "PERCENT":
      guard let percentOff else { throw .invalidPayload("discount.percent_off is required") }
      guard let basisPoints = WireFormat.basisPoints(percent: percentOff),
        basisPoints > 0, basisPoints <= 10_000
      else {
        throw .invalidPayload("discount.percent_off must be above 0, at most 100, two decimals")
      }
      let limit = try amountLimit.map { value throws(APIError) in try amount(value, "amount_limit")
      }
      return .percent(basisPoints: basisPoints, amountLimit: limit)
    case "AMOUNT": return .amount(try amount(amountOff, "amount_off"))
    case "FIXED": return .fixed(try amount(fixedAmount, "fixed_amount"))
    default:
      throw .invalidPayload("discount.type must be PERCENT, AMOUNT or FIXED")
    }
  }
}

/// A gift card's money: `amount` loaded in all, `balance` left.
public struct WireGift: Codable, Sendable, Equatable {
  public var amount: Int64
  public var balance: Int64?
  public var effect: String?

  public init(amount: Int64, balance: Int64?, effect: String? = nil) {
    self.amount = amount
    self.balance = balance
    self.effect = effect
  }
}

/// Voucherify's voucher `redemption` summary, with our per-customer limit.
public struct WireVoucherRedemption: Codable, Sendable, Equatable {
  @NullEncoded public var quantity: Int64?
  public var redeemedQuantity: Int64?
  /// Ours: uses allowed per customer.
  public var perCustomer: Int64?
  public var object: String? = "list"
  public var url: String?

  enum CodingKeys: String, CodingKey {
    case quantity, object, url
    case redeemedQuantity = "redeemed_quantity"
    case perCustomer = "per_customer"
  }

  public init(quantity: Int64?, redeemedQuantity: Int64?, perCustomer: Int64?, url: String?) {
    self.quantity = quantity
    self.redeemedQuantity = redeemedQuantity
    self.perCustomer = perCustomer
    self.url = url
  }
}

/// Ours: how often a voucher may be, and has been, reactivated.
public struct WireReactivation: Codable, Sendable, Equatable {
  public var limit: Int64
  public var count: Int64?
}

/// Ours: the cart rules of a voucher.
public struct WireRules: Codable, Sendable, Equatable {
  public var minOrderAmount: Int64?
  public var applicableTo: [String]?
  public var inapplicableTo: [String]?

  enum CodingKeys: String, CodingKey {
    case minOrderAmount = "min_order_amount"
    case applicableTo = "applicable_to"
    case inapplicableTo = "inapplicable_to"
  }

  public init(minOrderAmount: Int64?, applicableTo: [String]?, inapplicableTo: [String]?) {
    self.minOrderAmount = minOrderAmount
    self.applicableTo = applicableTo
    self.inapplicableTo = inapplicableTo
  }
}

/// Voucherify's voucher object, plus ours: `currency`, `status` (now), `reactivation`,
/// `rules`.
public struct WireVoucher: Codable, Sendable, Equatable {
  public var id: String
  public var code: String
  @NullEncoded public var campaign: String?
  @NullEncoded public var campaignId: String?
  public var type: String
  @NullEncoded public var discount: WireDiscount?
  @NullEncoded public var gift: WireGift?
  @NullEncoded public var startDate: String?
  @NullEncoded public var expirationDate: String?
  public var active: Bool
  public var metadata: [String: String]
  public var createdAt: String
  public var updatedAt: String?
  @NullEncoded public var holderId: String?
  public var object: String = "voucher"
  public var redemption: WireVoucherRedemption
  public var currency: String
  public var status: VoucherStatus?
  public var reactivation: WireReactivation
  public var rules: WireRules

  enum CodingKeys: String, CodingKey {
    case id, code, campaign, type, discount, gift, active, metadata, object, redemption
    case currency, status, reactivation, rules
    case campaignId = "campaign_id"
    case startDate = "start_date"
    case expirationDate = "expiration_date"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
    case holderId = "holder_id"
  }

  public init(_ voucher: Voucher, status: VoucherStatus?) {
    id = voucher.id
    code = voucher.code
    campaign = voucher.campaign
    type = voucher.kind.typeName
    switch voucher.kind {
    case .discount(let value): discount = WireDiscount(value)
    case .gift(let amount, let balance):
      gift = WireGift(amount: amount, balance: balance, effect: "APPLY_TO_ORDER")
    }
    startDate = WireFormat.date(voucher.startDate)
    expirationDate = WireFormat.date(voucher.expirationDate)
    active = voucher.active
    metadata = voucher.metadata
    createdAt = WireFormat.date(voucher.createdAt)
    updatedAt = WireFormat.date(voucher.updatedAt)
    holderId = voucher.holderId
    redemption = WireVoucherRedemption(
      quantity: voucher.quantity, redeemedQuantity: voucher.redeemedQuantity,
      perCustomer: voucher.perCustomer,
      url: WireFormat.redemptionsPath(code: voucher.code))
    currency = voucher.currency
    self.status = status
    reactivation = WireReactivation(
      limit: voucher.reactivationLimit, count: voucher.reactivationCount)
    rules = WireRules(
      minOrderAmount: voucher.minOrderAmount, applicableTo: voucher.applicableTo,
      inapplicableTo: voucher.inapplicableTo)
  }

  /// The engine's voucher, or nil when the object is incomplete.
  public func engineValue() -> Voucher? {
    let kind: VoucherKind
    if type == "GIFT_VOUCHER" {
      guard let gift else { return nil }
      kind = .gift(amount: gift.amount, balance: gift.balance ?? gift.amount)
    } else {
      guard let value = try? discount?.engineValue() else { return nil }
      kind = .discount(value)
    }
    guard let created = WireFormat.date(from: createdAt) else { return nil }
    return Voucher.restored(
      id: id, code: code, campaign: campaign, kind: kind, currency: currency, holderId: holderId,
      startDate: startDate.flatMap(WireFormat.date(from:)),
      expirationDate: expirationDate.flatMap(WireFormat.date(from:)), active: active,
      quantity: redemption.quantity, redeemedQuantity: redemption.redeemedQuantity ?? 0,
      perCustomer: redemption.perCustomer, minOrderAmount: rules.minOrderAmount,
      applicableTo: rules.applicableTo ?? [], inapplicableTo: rules.inapplicableTo ?? [],
      reactivationLimit: reactivation.limit, reactivationCount: reactivation.count ?? 0,
      metadata: metadata, createdAt: created,
      updatedAt: updatedAt.flatMap(WireFormat.date(from:)) ?? created)
  }
}

/// `GET /v1/vouchers`, with ours: `counts` per tab when listed for a customer.
public struct WireVoucherList: Codable, Sendable, Equatable {
  public var object = "list"
  public var dataRef = "vouchers"
  public var vouchers: [WireVoucher]
  public var total: Int
  public var page: Int?
  public var limit: Int?
  public var counts: [String: Int]?

  enum CodingKeys: String, CodingKey {
    case object, vouchers, total, page, limit, counts
    case dataRef = "data_ref"
  }

  public init(
    vouchers: [WireVoucher], total: Int, page: Int?, limit: Int?, counts: [String: Int]?
  ) {
    self.vouchers = vouchers
    self.total = total
    self.page = page
    self.limit = limit
    self.counts = counts
  }
}

/// `POST /v1/vouchers[/{code}]` and `PUT /v1/vouchers/{code}`: Voucherify's fields plus ours
/// (`currency`, `reactivation`, `rules`, `customer` to bind the holder).
public struct WireVoucherCreate: Codable, Sendable, Equatable {
  public var code: String?
  public var codeConfig: CodeConfig?
  public var type: String?
  public var campaign: String?
  public var discount: WireDiscount?
  public var gift: GiftInput?
  public var startDate: String?
  public var expirationDate: String?
  public var active: Bool?
  public var redemption: RedemptionInput?
  public var metadata: [String: String]?
  public var customer: WireCustomerReference?
  public var currency: String?
  public var reactivation: ReactivationInput?
  public var rules: WireRules?

  enum CodingKeys: String, CodingKey {
    case code, type, campaign, discount, gift, active, redemption, metadata, customer, currency
    case reactivation, rules
    case codeConfig = "code_config"
    case startDate = "start_date"
    case expirationDate = "expiration_date"
  }

  /// Voucherify's `code_config`: only the pattern is used.
  public struct CodeConfig: Codable, Sendable, Equatable {
    public var pattern: String?
  }

  public struct GiftInput: Codable, Sendable, Equatable {
    public var amount: Int64
    public var effect: String?
  }

  public struct RedemptionInput: Codable, Sendable, Equatable {
    public var quantity: Int64?
    public var perCustomer: Int64?
    enum CodingKeys: String, CodingKey {
      case quantity
      case perCustomer = "per_customer"
    }
  }

  public struct ReactivationInput: Codable, Sendable, Equatable {
    public var limit: Int64
  }

  /// Fields a Voucherify client may send that this engine ignores.
  public static let ignoredFields: Set<String> = [
    "category", "category_id", "additional_info", "validity_timeframe", "validity_day_of_week",
    "validity_hours", "validation_rules", "object", "is_referral_code",
  ]

  /// A draft for `createVoucher`; `pathCode` (from `/v1/vouchers/{code}`) wins over `code`.
  public func draft(pathCode: String?, defaultCurrency: String) throws(APIError) -> VoucherDraft {
    let kind: VoucherKind
    switch type ?? (gift != nil ? "GIFT_VOUCHER" : "DISCOUNT_VOUCHER") {
    case "DISCOUNT_VOUCHER":
      guard let discount else { throw .invalidPayload("a discount voucher needs a discount") }
      kind = .discount(try discount.engineValue())
    case "GIFT_VOUCHER":
      guard let gift else { throw .invalidPayload("a gift voucher needs gift.amount") }
      kind = .gift(amount: gift.amount, balance: gift.amount)
    default:
      throw .invalidPayload("type must be DISCOUNT_VOUCHER or GIFT_VOUCHER")
    }
    var draft = VoucherDraft(
      code: pathCode ?? code, codePattern: codeConfig?.pattern, campaign: campaign, kind: kind,
      currency: currency ?? defaultCurrency)
    if let customer {
      guard let reference = customer.reference else {
        throw .invalidPayload("customer needs an id or a source_id")
      }
      draft.holder = reference
    }
    draft.startDate = try Self.date(startDate, "start_date")
    draft.expirationDate = try Self.date(expirationDate, "expiration_date")
    draft.active = active ?? true
    draft.quantity = redemption?.quantity
    draft.perCustomer = redemption?.perCustomer
    draft.minOrderAmount = rules?.minOrderAmount
    draft.applicableTo = rules?.applicableTo ?? []
    draft.inapplicableTo = rules?.inapplicableTo ?? []
    draft.reactivationLimit = reactivation?.limit ?? 3
    draft.metadata = metadata ?? [:]
    return draft
  }

  /// Changes for `updateVoucher`: only the fields present.
  public func changes() throws(APIError) -> VoucherChanges {
    var changes = VoucherChanges()
    if let campaign { changes.campaign = .some(campaign) }
    if let customer {
      guard let reference = customer.reference else {
        throw .invalidPayload("customer needs an id or a source_id")
      }
      changes.holder = .some(reference)
    }
    if let value = try Self.date(startDate, "start_date") { changes.startDate = .some(value) }
    if let value = try Self.date(expirationDate, "expiration_date") {
      changes.expirationDate = .some(value)
    }
    changes.active = active
    if let quantity = redemption?.quantity { changes.quantity = .some(quantity) }
    if let limit = redemption?.perCustomer { changes.perCustomer = .some(limit) }
    if let rules {
      if let minimum = rules.minOrderAmount { changes.minOrderAmount = .some(minimum) }
      changes.applicableTo = rules.applicableTo
      changes.inapplicableTo = rules.inapplicableTo
    }
    if let discount { changes.discount = try discount.engineValue() }
    changes.reactivationLimit = reactivation?.limit
    changes.metadata = metadata
    if gift != nil || code != nil || type != nil || currency != nil {
      throw .invalidPayload("code, type, currency and gift cannot be changed; create a new voucher")
    }
    return changes
  }

  private static func date(_ text: String?, _ name: String) throws(APIError) -> Date? {
    guard let text else { return nil }
    guard let date = WireFormat.date(from: text) else {
      throw .invalidPayload("\(name) must be an ISO 8601 date-time")
    }
    return date
  }
}

/// `POST /v1/vouchers/{code}/balance`.
public struct WireBalanceRequest: Codable, Sendable, Equatable {
  public var amount: Int64
}

/// The answer to a balance change.
public struct WireBalance: Codable, Sendable, Equatable {
  public var amount: Int64
  public var total: Int64
  public var balance: Int64
  public var type = "gift_voucher"
  public var operationType = "MANUAL"
  public var object = "balance"
  public var relatedObject: RelatedObject

  public struct RelatedObject: Codable, Sendable, Equatable {
    public var type = "voucher"
    public var id: String
  }

  enum CodingKeys: String, CodingKey {
    case amount, total, balance, type, object
    case operationType = "operation_type"
    case relatedObject = "related_object"
  }

  public init(added: Int64, voucher: Voucher) {
    amount = added
    if case .gift(let total, let balance) = voucher.kind {
      self.total = total
      self.balance = balance
    } else {
      total = 0
      balance = 0
    }
    relatedObject = RelatedObject(id: voucher.id)
  }
}

/// Ours: `POST /v1/vouchers/{code}/reactivate`.
public struct WireReactivateRequest: Codable, Sendable, Equatable {
  public var reason: String?
  public var by: String?

  public init(reason: String? = nil, by: String? = nil) {
    self.reason = reason
    self.by = by
  }
}
