import Foundation

/// `POST /vouchers`.
public struct PlainCreateRequest: Codable, Equatable, Sendable {
  public var code: String
  public var type: PlainVoucherType
  public var value: Decimal
  /// Ours: the currency of a fixed value (the server's default when absent).
  public var currency: String?
  public var conditions: PlainConditions?

  public static let fields: Set<String> = ["code", "type", "value", "currency", "conditions"]
}

/// `PUT /vouchers/{id}`: value, conditions and status only.
public struct PlainUpdateRequest: Codable, Equatable, Sendable {
  public var value: Decimal?
  public var conditions: PlainConditions?
  public var status: PlainVoucherStatus?

  public static let fields: Set<String> = ["value", "conditions", "status"]
  /// Fields that exist but may not change.
  public static let immutable: Set<String> = ["id", "code", "type", "created_at"]
}

/// An order line.
public struct PlainItem: Codable, Equatable, Sendable {
  public var id: String
  public var price: Decimal
  public var quantity: Int64

  public init(id: String, price: Decimal, quantity: Int64) {
    self.id = id
    self.price = price
    self.quantity = quantity
  }
}

/// The order a code is validated or applied against.
public struct PlainOrder: Codable, Equatable, Sendable {
  public var value: Decimal
  public var currency: String?
  public var items: [PlainItem]?

  public init(value: Decimal, currency: String?, items: [PlainItem]?) {
    self.value = value
    self.currency = currency
    self.items = items
  }
}

/// `POST /vouchers/validate`. `customer_id` is ours: the shop's customer reference, which
/// `customer_limit` counts by.
public struct PlainValidateRequest: Codable, Equatable, Sendable {
  public var code: String
  public var order: PlainOrder
  public var customerId: String?

  enum CodingKeys: String, CodingKey {
    case code, order, customerId = "customer_id"
  }

  public init(code: String, order: PlainOrder, customerId: String?) {
    self.code = code
    self.order = order
    self.customerId = customerId
  }

  public static let fields: Set<String> = ["code", "order", "customer_id"]
}

/// `POST /vouchers/apply`. The contract names `code` and `order_id`; `order` (as in
/// validate) is required here too, since the discount and the final amount depend on it;
/// `customer_id` as in validate.
public struct PlainApplyRequest: Codable, Equatable, Sendable {
  public var code: String
  public var orderId: String
  public var order: PlainOrder
  public var customerId: String?

  enum CodingKeys: String, CodingKey {
    case code, orderId = "order_id", order, customerId = "customer_id"
  }

  public init(code: String, orderId: String, order: PlainOrder, customerId: String?) {
    self.code = code
    self.orderId = orderId
    self.order = order
    self.customerId = customerId
  }

  public static let fields: Set<String> = ["code", "order_id", "order", "customer_id"]
}
