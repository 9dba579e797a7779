import Foundation
import VoucherEngine

/// Vauchar's `Redemption` (`vauchar-redemption.json`): `value_used` a decimal string,
/// `created` Unix seconds.
public struct VaucharRedemption: Codable, Equatable, Sendable {
  public var href: String
  public var type: String = "redemption"
  public var id: String
  public var voucherId: String
  public var userId: String
  public var customerId: String
  public var userEmail: String
  public var userPhone: String
  public var transactionId: String
  public var valueUsed: String
  public var teamId: String
  public var created: Int64

  enum CodingKeys: String, CodingKey {
    case href, type, id, voucherId = "voucher_id", userId = "user_id"
    case customerId = "customer_id", userEmail = "user_email", userPhone = "user_phone"
    case transactionId = "transaction_id", valueUsed = "value_used", teamId = "team_id", created
  }

  public init(
    href: String, id: String, voucherId: String, userId: String, customerId: String,
    userEmail: String, userPhone: String, transactionId: String, valueUsed: String,
    teamId: String, created: Int64
  ) {
    self.href = href
    self.id = id
    self.voucherId = voucherId
    self.userId = userId
    self.customerId = customerId
    self.userEmail = userEmail
    self.userPhone = userPhone
    self.transactionId = transactionId
    self.valueUsed = valueUsed
    self.teamId = teamId
    self.created = created
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    func text(_ key: CodingKeys) throws -> String {
      try container.decodeIfPresent(String.self, forKey: key) ?? ""
    }
    href = try text(.href)
    type = try container.decodeIfPresent(String.self, forKey: .type) ?? "redemption"
    id = try container.decode(String.self, forKey: .id)
    voucherId = try text(.voucherId)
    userId = try text(.userId)
    customerId = try text(.customerId)
    userEmail = try text(.userEmail)
    userPhone = try text(.userPhone)
    transactionId = try text(.transactionId)
    valueUsed = try text(.valueUsed)
    teamId = try text(.teamId)
    created = try container.decodeIfPresent(Int64.self, forKey: .created) ?? 0
  }
}

extension VaucharRedemption {
  /// One engine redemption of one voucher as Vauchar shows it.
  ///
  /// - Parameters:
  ///   - customer: the customer it was made for, when there was one (`user_id` is their
  ///     source id, as the redemption request named them).
  public init(_ redemption: Redemption, customer: Customer?, base: String) {
    let voucherId = redemption.voucherId ?? ""
    self.init(
      href: "\(base)/vouchers/\(voucherId)/redemptions/\(redemption.id)", id: redemption.id,
      voucherId: voucherId, userId: customer?.sourceId ?? customer?.id ?? "",
      customerId: customer?.id ?? "", userEmail: customer?.email ?? "",
      userPhone: customer?.phone ?? "", transactionId: redemption.order.sourceId ?? "",
      valueUsed: VaucharMoney.text(redemption.amount), teamId: redemption.channel.terminal ?? "",
      created: VaucharTime.seconds(redemption.date))
  }

  /// The engine's value of this redemption, for the till; nil when `value_used` is not a
  /// decimal string.
  ///
  /// - Parameter items: the sale's cart, which Vauchar does not keep: the order's amounts
  ///   are the cart's, less `value_used`.
  public func engineValue(
    code: String, terminal: String?, cashier: String?, items: [CartItem] = []
  ) -> Redemption? {
    guard let amount = try? Money.parse(valueUsed) else { return nil }
    let subtotal = items.reduce(0) { $0 + $1.amount }
    let order = RedeemedOrder.restored(
      id: transactionId, sourceId: transactionId.isEmpty ? nil : transactionId,
      amount: subtotal, discountAmount: amount, giftCredits: 0,
      totalAmount: max(0, subtotal - amount), items: items)
    return Redemption.restored(
      id: id, parentId: nil, voucherId: voucherId, voucherCode: code.normalizedCode,
      customerId: customerId.isEmpty ? nil : customerId, order: order, amount: amount,
      status: .succeeded, channel: Channel(terminal: terminal, cashier: cashier),
      date: VaucharTime.date(created), giftBalanceAfter: nil, rollbackId: nil, children: [])
  }
}

/// `GET /vouchers/{voucherId}/redemptions`.
public struct VaucharRedemptionList: Codable, Equatable, Sendable {
  public var href: String
  public var data: [VaucharRedemption]

  public init(href: String, data: [VaucharRedemption]) {
    self.href = href
    self.data = data
  }
}

/// `GET /vouchers`.
public struct VaucharVoucherList: Codable, Equatable, Sendable {
  public var href: String
  public var count: Int
  public var data: [VaucharVoucher]

  public init(href: String, count: Int, data: [VaucharVoucher]) {
    self.href = href
    self.count = count
    self.data = data
  }
}

/// The body of `POST /vouchers/{voucherId}/redemptions`. `value_used` is a JSON number here,
/// unlike in the answers.
public struct VaucharRedemptionRequest: Codable, Equatable, Sendable {
  public var userId: String
  public var userEmail: String?
  public var userPhone: String?
  public var transactionId: String?
  public var valueUsed: Decimal?

  enum CodingKeys: String, CodingKey {
    case userId = "user_id", userEmail = "user_email", userPhone = "user_phone"
    case transactionId = "transaction_id", valueUsed = "value_used"
  }

  public init(
    userId: String, userEmail: String? = nil, userPhone: String? = nil,
    transactionId: String? = nil, valueUsed: Decimal? = nil
  ) {
    self.userId = userId
    self.userEmail = userEmail
    self.userPhone = userPhone
    self.transactionId = transactionId
    self.valueUsed = valueUsed
  }
}

/// The body of `POST /vouchers`: `count` vouchers alike.
public struct VaucharVoucherCreateRequest: Codable, Equatable, Sendable {
  public var count: Int
  public var startTime: Int64?
  public var expiryTime: Int64?
  public var value: String
  public var valueUnit: VaucharValueUnit
  public var currency: String
  public var tag: String?

  enum CodingKeys: String, CodingKey {
    case count, startTime = "start_time", expiryTime = "expiry_time", value
    case valueUnit = "value_unit", currency, tag
  }

  public init(
    count: Int, startTime: Int64? = nil, expiryTime: Int64? = nil, value: String,
    valueUnit: VaucharValueUnit, currency: String, tag: String? = nil
  ) {
    self.count = count
    self.startTime = startTime
    self.expiryTime = expiryTime
    self.value = value
    self.valueUnit = valueUnit
    self.currency = currency
    self.tag = tag
  }
}

/// This server's error body. Vauchar says only that errors are JSON (its field names are not
/// published), so the shape is ours: the HTTP status, our reason key, and a sentence.
public struct VaucharError: Codable, Equatable, Sendable, Error {
  public var status: Int
  public var error: String
  public var message: String

  public init(status: Int, error: String, message: String) {
    self.status = status
    self.error = error
    self.message = message
  }
}

/// The answer of `DELETE /vouchers/{voucherId}/redemptions/{redemptionId}` (Vauchar does not
/// publish one): the redemption that was reversed, and that it is gone.
public struct VaucharDeletion: Codable, Equatable, Sendable {
  public var id: String
  public var deleted: Bool
  public var redemption: VaucharRedemption

  public init(id: String, deleted: Bool, redemption: VaucharRedemption) {
    self.id = id
    self.deleted = deleted
    self.redemption = redemption
  }
}
