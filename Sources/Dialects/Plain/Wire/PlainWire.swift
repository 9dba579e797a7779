import Foundation
import VoucherAPI
import VoucherEngine

/// The plain voucher API's JSON through the shared mechanism (`WireFormat` writes, the
/// engine's parser reads). Money is a JSON number in major units with at most two decimals
/// (`25.5`); a percentage `value` is percent (`12.5`); times are ISO 8601 in UTC.
public enum PlainWire {
  public static func encode(_ value: some Encodable) -> Data { WireFormat.encode(value) }

  public static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
    try JSONValueDecoder().decode(type, from: JSONValue.parse(data))
  }

  /// Minor units (or basis points) as the wire's number: significand × 10⁻², exact.
  public static func number(_ minor: Int64) -> Decimal {
    Decimal(sign: minor < 0 ? .minus : .plus, exponent: -2, significand: Decimal(minor.magnitude))
  }

  /// The wire's number in minor units; nil for a negative one or more than two decimals.
  public static func minor(_ number: Decimal) -> Int64? {
    guard !number.isNaN, number >= 0 else { return nil }
    return try? Money.parse("\(number)")
  }
}

/// `percentage` or `fixed` (an amount off).
public enum PlainVoucherType: String, Codable, Sendable, CaseIterable {
  case percentage, fixed
}

/// `active`, `inactive` (switched off) or `expired` (past `valid_until`).
public enum PlainVoucherStatus: String, Codable, Sendable, CaseIterable {
  case active, inactive, expired
}

/// A voucher's conditions; every one optional.
public struct PlainConditions: Codable, Equatable, Sendable {
  public var minOrderValue: Decimal?
  public var maxUses: Int64?
  public var validFrom: String?
  public var validUntil: String?
  public var customerLimit: Int64?
  public var productIds: [String]?
  public var excludedProductIds: [String]?

  enum CodingKeys: String, CodingKey {
    case minOrderValue = "min_order_value", maxUses = "max_uses", validFrom = "valid_from"
    case validUntil = "valid_until", customerLimit = "customer_limit", productIds = "product_ids"
    case excludedProductIds = "excluded_product_ids"
  }

  public init() {}

  public static let fields = Set(
    [
      CodingKeys.minOrderValue, .maxUses, .validFrom, .validUntil, .customerLimit, .productIds,
      .excludedProductIds,
    ].map(\.rawValue))
}

/// The voucher object.
public struct PlainVoucher: Codable, Equatable, Sendable {
  public var id: String
  public var code: String
  public var type: PlainVoucherType
  public var value: Decimal
  public var currency: String
  public var conditions: PlainConditions
  public var status: PlainVoucherStatus
  public var usageCount: Int64
  public var createdAt: String
  public var updatedAt: String
  /// Only on `GET /vouchers/{id}`.
  public var usageHistory: [PlainUsage]?

  enum CodingKeys: String, CodingKey {
    case id, code, type, value, currency, conditions, status, usageCount = "usage_count"
    case createdAt = "created_at", updatedAt = "updated_at", usageHistory = "usage_history"
  }
}

/// One application in a voucher's `usage_history`.
public struct PlainUsage: Codable, Equatable, Sendable {
  public var orderId: String
  public var discountAmount: Decimal
  public var appliedAt: String

  enum CodingKeys: String, CodingKey {
    case orderId = "order_id", discountAmount = "discount_amount", appliedAt = "applied_at"
  }

  public init(orderId: String, discountAmount: Decimal, appliedAt: String) {
    self.orderId = orderId
    self.discountAmount = discountAmount
    self.appliedAt = appliedAt
  }
}

extension PlainVoucher {
  /// The voucher as this API shows it; nil for a kind it has no type for (a gift card, a
  /// fixed-price discount).
  public init?(_ voucher: Voucher, now: Date, usageHistory: [PlainUsage]? = nil) {
    switch voucher.kind {
    case .discount(.percent(let basisPoints, _)):
      type = .percentage
      value = PlainWire.number(basisPoints)
    case .discount(.amount(let amount)):
      type = .fixed
      value = PlainWire.number(amount)
    case .discount(.fixed), .gift:
      return nil
    }
    id = voucher.id
    code = voucher.code
    currency = voucher.currency
    var conditions = PlainConditions()
    conditions.minOrderValue = voucher.minOrderAmount.map(PlainWire.number)
    conditions.maxUses = voucher.quantity
    conditions.validFrom = WireFormat.date(voucher.startDate)
    conditions.validUntil = WireFormat.date(voucher.expirationDate)
    conditions.customerLimit = voucher.perCustomer
    conditions.productIds = voucher.applicableTo
    conditions.excludedProductIds = voucher.inapplicableTo
    self.conditions = conditions
    status =
      !voucher.active
      ? .inactive : (voucher.expirationDate.map { now > $0 } ?? false) ? .expired : .active
    usageCount = voucher.redeemedQuantity
    createdAt = WireFormat.date(voucher.createdAt)
    updatedAt = WireFormat.date(voucher.updatedAt)
    self.usageHistory = usageHistory
  }

  /// The engine's value, for the till.
  public func engineValue() -> Voucher? {
    guard let amount = PlainWire.minor(value) else { return nil }
    let kind: VoucherKind =
      switch type {
      case .percentage: .discount(.percent(basisPoints: amount, amountLimit: nil))
      case .fixed: .discount(.amount(amount))
      }
    guard let created = WireFormat.date(from: createdAt),
      let updated = WireFormat.date(from: updatedAt)
    else { return nil }
    return Voucher.restored(
      id: id, code: code, campaign: nil, kind: kind, currency: currency, holderId: nil,
      startDate: conditions.validFrom.flatMap(WireFormat.date(from:)),
      expirationDate: conditions.validUntil.flatMap(WireFormat.date(from:)),
      active: status != .inactive, quantity: conditions.maxUses, redeemedQuantity: usageCount,
      perCustomer: conditions.customerLimit,
      minOrderAmount: conditions.minOrderValue.flatMap(PlainWire.minor),
      applicableTo: conditions.productIds ?? [],
      inapplicableTo: conditions.excludedProductIds ?? [],
      reactivationLimit: 0, reactivationCount: 0, metadata: [:], createdAt: created,
      updatedAt: updated)
  }
}

extension PlainWire {
  /// An ISO 8601 time as the server writes it.
  public static func date(_ text: String) -> Date? { WireFormat.date(from: text) }
}
