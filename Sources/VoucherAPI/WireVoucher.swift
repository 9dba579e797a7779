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
  /// Voucherify's `effect`; `APPLY_TO_ORDER` is the one served (checked at the edge).
  public var effect: String?
  /// The most the voucher takes off one order.
  public var aggregatedAmountLimit: Decimal?

  enum CodingKeys: String, CodingKey {
    case type, effect
    case aggregatedAmountLimit = "aggregated_amount_limit"
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
  public var metadata: JSONValue
  public var createdAt: String
  public var updatedAt: String?
  @NullEncoded public var holderId: String?
  public var object: String = "voucher"
  public var redemption: WireVoucherRedemption
  public var currency: String
  public var status: VoucherStatus?
  public var reactivation: WireReactivation
  public var rules: WireRules
  @NullEncoded public var category: String?
  @NullEncoded public var categoryId: String?
  @NullEncoded public var additionalInfo: String?
  @NullEncoded public var validityTimeframe: WireValidityTimeframe?
  @NullEncoded public var validityDayOfWeek: [Int]?
  @NullEncoded public var validityHours: WireValidityHours?

  enum CodingKeys: String, CodingKey {
    case id, code, campaign, type, discount, gift, active, metadata, object, redemption
    case currency, status, reactivation, rules, category
    case categoryId = "category_id"
    case additionalInfo = "additional_info"
    case validityTimeframe = "validity_timeframe"
    case validityDayOfWeek = "validity_day_of_week"
    case validityHours = "validity_hours"
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
    campaignId = voucher.campaignId
    type = voucher.kind.typeName
    category = voucher.category
    categoryId = voucher.categoryId
    additionalInfo = voucher.additionalInfo
    if let timeframe = voucher.validity.timeframe {
      validityTimeframe = WireValidityTimeframe(
        duration: timeframe.duration, interval: timeframe.interval)
    }
    validityDayOfWeek = voucher.validity.daysOfWeek
    if let hours = voucher.validity.hours { validityHours = WireValidityHours(hours) }
    switch voucher.kind {
    case .discount(let value):
      var wire = WireDiscount(value)
      if let limit = voucher.aggregatedAmountLimit { wire.aggregatedAmountLimit = Decimal(limit) }
      discount = wire
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
      updatedAt: updatedAt.flatMap(WireFormat.date(from:)) ?? created,
      validity: (try? validityRules(
        timeframe: validityTimeframe, days: validityDayOfWeek, hours: validityHours))
        ?? ValidityRules(),
      aggregatedAmountLimit: discount?.aggregatedAmountLimit.flatMap(WireFormat.wholeAmount),
      category: category, categoryId: categoryId, campaignId: campaignId,
      additionalInfo: additionalInfo)
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
  public var metadata: JSONValue?
  public var customer: WireCustomerReference?
  public var currency: String?
  public var reactivation: ReactivationInput?
  public var rules: WireRules?
  public var campaignId: String?
  public var category: String?
  public var categoryId: String?
  public var additionalInfo: String?
  public var validityTimeframe: WireValidityTimeframe?
  public var validityDayOfWeek: [Int]?
  public var validityHours: WireValidityHours?

  enum CodingKeys: String, CodingKey {
    case code, type, campaign, discount, gift, active, redemption, metadata, customer, currency
    case reactivation, rules, category
    case codeConfig = "code_config"
    case startDate = "start_date"
    case expirationDate = "expiration_date"
    case campaignId = "campaign_id"
    case categoryId = "category_id"
    case additionalInfo = "additional_info"
    case validityTimeframe = "validity_timeframe"
    case validityDayOfWeek = "validity_day_of_week"
    case validityHours = "validity_hours"
  }

  /// Voucherify's `code_config`: a `pattern` (`#` a digit or letter), or a `prefix`,
  /// `length` and `postfix` made into one; `charset` must be the engine's own alphabet.
  public struct CodeConfig: Codable, Sendable, Equatable {
    public var pattern: String?
    public var length: Int?
    public var charset: String?
    public var prefix: String?
    public var postfix: String?

    /// The engine's pattern, or nil for the engine's default.
    func enginePattern() throws(APIError) -> String? {
      if let charset, !charset.isEmpty {
        throw .invalidPayload(
          "code_config.charset is not supported: codes use the engine's alphabet")
      }
      if let pattern { return pattern }
      guard length != nil || prefix != nil || postfix != nil else { return nil }
      let length = self.length ?? 8
      guard (1...64).contains(length) else {
        throw .invalidPayload("code_config.length must be 1 to 64")
      }
      return (prefix ?? "") + String(repeating: "#", count: length) + (postfix ?? "")
    }
  }

  public struct GiftInput: Codable, Sendable, Equatable {
    public var amount: Int64
    public var balance: Int64?
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

  /// A draft for `createVoucher`; `pathCode` (from `/v1/vouchers/{code}`) wins over `code`.
  public func draft(pathCode: String?, defaultCurrency: String) throws(APIError) -> VoucherDraft {
    let kind: VoucherKind
    switch type ?? (gift != nil ? "GIFT_VOUCHER" : "DISCOUNT_VOUCHER") {
    case "DISCOUNT_VOUCHER":
      guard let discount else { throw .invalidPayload("a discount voucher needs a discount") }
      kind = .discount(try discount.engineValue())
    case "GIFT_VOUCHER":
      guard let gift else { throw .invalidPayload("a gift voucher needs gift.amount") }
      kind = .gift(amount: gift.amount, balance: gift.balance ?? gift.amount)
    default:
      throw .invalidPayload("type must be DISCOUNT_VOUCHER or GIFT_VOUCHER")
    }
    var draft = VoucherDraft(
      code: pathCode ?? code, codePattern: try codeConfig?.enginePattern(), campaign: campaign,
      kind: kind, currency: currency ?? defaultCurrency)
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
    draft.metadata = try Self.metadataObject(metadata) ?? .emptyObject
    draft.validity = try validityRules(
      timeframe: validityTimeframe, days: validityDayOfWeek, hours: validityHours)
    draft.aggregatedAmountLimit = try discount?.aggregatedAmount()
    draft.category = category
    draft.categoryId = categoryId
    draft.campaignId = campaignId
    draft.additionalInfo = additionalInfo
    return draft
  }

  private static func metadataObject(_ value: JSONValue?) throws(APIError) -> JSONValue? {
    if let value, !value.isObject { throw .invalidPayload("metadata must be an object") }
    return value
  }

  /// Changes for `updateVoucher` of `current`: only the fields present. A field that cannot
  /// change (code, type, currency, gift) is accepted when it equals the current value.
  public func changes(of current: Voucher) throws(APIError) -> VoucherChanges {
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
    if let discount {
      changes.discount = try discount.engineValue()
      if discount.aggregatedAmountLimit != nil {
        changes.aggregatedAmountLimit = .some(try discount.aggregatedAmount())
      }
    }
    changes.reactivationLimit = reactivation?.limit
    changes.metadata = try Self.metadataObject(metadata)
    if validityTimeframe != nil || validityDayOfWeek != nil || validityHours != nil {
      var rules = current.validity
      let given = try validityRules(
        timeframe: validityTimeframe, days: validityDayOfWeek, hours: validityHours)
      if validityTimeframe != nil { rules.timeframe = given.timeframe }
      if validityDayOfWeek != nil { rules.daysOfWeek = given.daysOfWeek }
      if validityHours != nil { rules.hours = given.hours }
      changes.validity = rules
    }
    if let category { changes.category = .some(category) }
    if let categoryId { changes.categoryId = .some(categoryId) }
    if let additionalInfo { changes.additionalInfo = .some(additionalInfo) }
    var fixed: [String] = []
    if let code, code.normalizedCode != current.code { fixed.append("code") }
    if let type, type != current.kind.typeName { fixed.append("type") }
    if let currency, currency.uppercased() != current.currency { fixed.append("currency") }
    if let gift {
      if case .gift(let amount, let balance) = current.kind, gift.amount == amount,
        gift.balance == nil || gift.balance == balance
      {
      } else {
        fixed.append("gift")
      }
    }
    if let campaignId, campaignId != current.campaignId { fixed.append("campaign_id") }
    if !fixed.isEmpty {
      throw .invalidPayload(
        fixed.joined(separator: ", ") + (fixed.count == 1 ? " cannot" : " cannot")
          + " be changed; create a new voucher (the current value is accepted)")
    }
    return changes
  }

  static func date(_ text: String?, _ name: String) throws(APIError) -> Date? {
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
  /// Informational, as Voucherify takes them: the shop's id of the change and why.
  public var sourceId: String?
  public var reason: String?

  enum CodingKeys: String, CodingKey {
    case amount, reason
    case sourceId = "source_id"
  }
}

/// The answer to a balance change.
public struct WireBalance: Codable, Sendable, Equatable {
  public var amount: Int64
  public var total: Int64
  public var balance: Int64
  public var type = "gift_voucher"
  public var operationType: String? = "MANUAL"
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

// Decoding what a Voucherify tenant sends (see `Wire+Decoding.swift`).
extension WireVoucher {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.value(.id, or: "")
    code = try c.decode(String.self, forKey: .code)
    _campaign = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .campaign))
    _campaignId = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .campaignId))
    type = try c.value(.type, or: "DISCOUNT_VOUCHER")
    // A discount of a kind not served here (UNIT) still reads; `engineValue` refuses it.
    _discount = NullEncoded(
      wrappedValue: try? c.decodeIfPresent(WireDiscount.self, forKey: .discount))
    _gift = NullEncoded(wrappedValue: try c.decodeIfPresent(WireGift.self, forKey: .gift))
    _startDate = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .startDate))
    _expirationDate = NullEncoded(
      wrappedValue: try c.decodeIfPresent(String.self, forKey: .expirationDate))
    active = try c.value(.active, or: true)
    metadata = try c.value(.metadata, or: .emptyObject)
    createdAt = try c.value(.createdAt, or: "")
    updatedAt = try c.decodeIfPresent(String.self, forKey: .updatedAt)
    _holderId = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .holderId))
    object = try c.value(.object, or: "voucher")
    redemption = try c.value(
      .redemption,
      or: WireVoucherRedemption(quantity: nil, redeemedQuantity: nil, perCustomer: nil, url: nil))
    // Ours: a tenant's voucher states no currency (its project has one).
    currency = try c.value(.currency, or: "")
    status = try? c.decodeIfPresent(VoucherStatus.self, forKey: .status)
    reactivation = try c.value(.reactivation, or: WireReactivation(limit: 0, count: nil))
    rules = try c.value(
      .rules, or: WireRules(minOrderAmount: nil, applicableTo: nil, inapplicableTo: nil))
    _category = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .category))
    _categoryId = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .categoryId))
    _additionalInfo = NullEncoded(
      wrappedValue: try c.decodeIfPresent(String.self, forKey: .additionalInfo))
    _validityTimeframe = NullEncoded(
      wrappedValue: try c.decodeIfPresent(WireValidityTimeframe.self, forKey: .validityTimeframe))
    _validityDayOfWeek = NullEncoded(
      wrappedValue: try c.decodeIfPresent([Int].self, forKey: .validityDayOfWeek))
    _validityHours = NullEncoded(
      wrappedValue: try c.decodeIfPresent(WireValidityHours.self, forKey: .validityHours))
  }
}
