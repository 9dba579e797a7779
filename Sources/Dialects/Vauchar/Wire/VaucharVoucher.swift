import Foundation
import VoucherEngine

/// Vauchar's `Voucher` object (`vauchar-voucher.json`): times in Unix seconds, `value` a
/// decimal string, `redeemed` 1 or 0.
public struct VaucharVoucher: Codable, Equatable, Sendable {
  public var href: String
  public var type: String = "voucher"
  public var id: String
  public var voucherCode: String
  public var tag: String
  public var created: Int64
  /// 0: valid from the start.
  public var startTime: Int64
  /// 0: never expires.
  public var expiryTime: Int64
  public var value: String
  public var valueUnit: VaucharValueUnit
  public var currency: String
  public var redeemed: Int
  public var redeemedDate: Int64?
  public var teams: [String] = []
  public var brands: [String] = []

  enum CodingKeys: String, CodingKey {
    case href, type, id, voucherCode = "voucher_code", tag, created
    case startTime = "start_time", expiryTime = "expiry_time", value
    case valueUnit = "value_unit", currency, redeemed, redeemedDate = "redeemed_date", teams
    case brands
  }

  public init(
    href: String, id: String, voucherCode: String, tag: String, created: Int64,
    startTime: Int64, expiryTime: Int64, value: String, valueUnit: VaucharValueUnit,
    currency: String, redeemed: Int, redeemedDate: Int64?
  ) {
    self.href = href
    self.id = id
    self.voucherCode = voucherCode
    self.tag = tag
    self.created = created
    self.startTime = startTime
    self.expiryTime = expiryTime
    self.value = value
    self.valueUnit = valueUnit
    self.currency = currency
    self.redeemed = redeemed
    self.redeemedDate = redeemedDate
  }

  // `redeemed_date` is written as null when absent: the schema types it integer-or-null.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(href, forKey: .href)
    try container.encode(type, forKey: .type)
    try container.encode(id, forKey: .id)
    try container.encode(voucherCode, forKey: .voucherCode)
    try container.encode(tag, forKey: .tag)
    try container.encode(created, forKey: .created)
    try container.encode(startTime, forKey: .startTime)
    try container.encode(expiryTime, forKey: .expiryTime)
    try container.encode(value, forKey: .value)
    try container.encode(valueUnit, forKey: .valueUnit)
    try container.encode(currency, forKey: .currency)
    try container.encode(redeemed, forKey: .redeemed)
    if let redeemedDate {
      try container.encode(redeemedDate, forKey: .redeemedDate)
    } else {
      try container.encodeNil(forKey: .redeemedDate)
    }
    try container.encode(teams, forKey: .teams)
    try container.encode(brands, forKey: .brands)
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    href = try container.decodeIfPresent(String.self, forKey: .href) ?? ""
    type = try container.decodeIfPresent(String.self, forKey: .type) ?? "voucher"
    id = try container.decode(String.self, forKey: .id)
    voucherCode = try container.decode(String.self, forKey: .voucherCode)
    tag = try container.decodeIfPresent(String.self, forKey: .tag) ?? ""
    created = try container.decodeIfPresent(Int64.self, forKey: .created) ?? 0
    startTime = try container.decodeIfPresent(Int64.self, forKey: .startTime) ?? 0
    expiryTime = try container.decodeIfPresent(Int64.self, forKey: .expiryTime) ?? 0
    value = try container.decode(String.self, forKey: .value)
    valueUnit = try container.decode(VaucharValueUnit.self, forKey: .valueUnit)
    currency = try container.decode(String.self, forKey: .currency)
    redeemed = try container.decodeIfPresent(Int.self, forKey: .redeemed) ?? 0
    redeemedDate = try container.decodeIfPresent(Int64.self, forKey: .redeemedDate)
    teams = try container.decodeIfPresent([String].self, forKey: .teams) ?? []
    brands = try container.decodeIfPresent([String].self, forKey: .brands) ?? []
  }
}

/// `percentage` or `fixed` (an amount off).
public enum VaucharValueUnit: String, Codable, Sendable {
  case percentage, fixed
}

extension VaucharVoucher {
  /// The voucher as Vauchar shows it, or nil for a kind Vauchar has no voucher for (a gift
  /// card, a fixed-price discount): those are not served on Vauchar's voucher routes.
  ///
  /// - Parameters:
  ///   - base: `http://HOST:PORT`, for `href`.
  ///   - lastUse: when it was last redeemed, for `redeemed_date`.
  public init?(_ voucher: Voucher, base: String, lastUse: Date?) {
    let value: String
    let unit: VaucharValueUnit
    switch voucher.kind {
    case .discount(.percent(let basisPoints, _)):
      value = Money.format(basisPoints)
      unit = .percentage
    case .discount(.amount(let amount)):
      value = Money.format(amount)
      unit = .fixed
    case .discount(.fixed), .gift:
      return nil
    }
    let used = voucher.quantity.map { voucher.redeemedQuantity >= $0 } ?? false
    self.init(
      href: "\(base)/vouchers/\(voucher.id)", id: voucher.id, voucherCode: voucher.code,
      tag: voucher.campaign ?? "", created: VaucharTime.seconds(voucher.createdAt),
      startTime: voucher.startDate.map(VaucharTime.seconds) ?? 0,
      expiryTime: voucher.expirationDate.map(VaucharTime.seconds) ?? 0, value: value,
      valueUnit: unit, currency: voucher.currency, redeemed: used ? 1 : 0,
      redeemedDate: used ? lastUse.map(VaucharTime.seconds) : nil)
  }

  /// The engine's value of what this voucher says; nil when `value` is not a decimal the
  /// engine can hold.
  public func engineValue(status: VaucharValidationStatus?) -> Voucher? {
    guard let amount = try? Money.parse(value) else { return nil }
    let kind: VoucherKind
    switch valueUnit {
    case .percentage:
      guard (1...10_000).contains(amount) else { return nil }
      kind = .discount(.percent(basisPoints: amount, amountLimit: nil))
    case .fixed: kind = .discount(.amount(amount))
    }
    let created = VaucharTime.date(created)
    return Voucher.restored(
      id: id, code: voucherCode.normalizedCode, campaign: tag.isEmpty ? nil : tag, kind: kind,
      currency: currency, holderId: nil,
      startDate: startTime == 0 ? nil : VaucharTime.date(startTime),
      expirationDate: expiryTime == 0 ? nil : VaucharTime.date(expiryTime),
      active: status?.status != VaucharValidationStatus.disabled, quantity: 1,
      redeemedQuantity: redeemed == 1 ? 1 : 0, perCustomer: nil, minOrderAmount: nil,
      applicableTo: [], inapplicableTo: [], reactivationLimit: 0, reactivationCount: 0,
      metadata: [:], createdAt: created, updatedAt: created)
  }
}
