import Foundation

/// The answer of `POST /vouchers/validate`.
public struct PlainValidation: Codable, Equatable, Sendable {
  public struct VoucherSummary: Codable, Equatable, Sendable {
    public var id: String
    public var code: String
    public var type: PlainVoucherType
    public var value: Decimal

    public init(id: String, code: String, type: PlainVoucherType, value: Decimal) {
      self.id = id
      self.code = code
      self.type = type
      self.value = value
    }
  }

  public struct Details: Codable, Equatable, Sendable {
    public var minOrderValueMet: Bool
    public var usageLimitNotExceeded: Bool
    public var validDateRange: Bool

    enum CodingKeys: String, CodingKey {
      case minOrderValueMet = "min_order_value_met"
      case usageLimitNotExceeded = "usage_limit_not_exceeded", validDateRange = "valid_date_range"
    }

    public init(minOrderValueMet: Bool, usageLimitNotExceeded: Bool, validDateRange: Bool) {
      self.minOrderValueMet = minOrderValueMet
      self.usageLimitNotExceeded = usageLimitNotExceeded
      self.validDateRange = validDateRange
    }
  }

  public var isValid: Bool
  public var voucher: VoucherSummary
  public var discountAmount: Decimal
  public var finalAmount: Decimal
  public var currency: String
  public var validationDetails: Details
  /// Ours, when `is_valid` is false: the rule that refused, as an error object.
  public var error: PlainErrorBody?

  enum CodingKeys: String, CodingKey {
    case isValid = "is_valid", voucher, discountAmount = "discount_amount"
    case finalAmount = "final_amount", currency, validationDetails = "validation_details", error
  }

  public init(
    isValid: Bool, voucher: VoucherSummary, discountAmount: Decimal, finalAmount: Decimal,
    currency: String, validationDetails: Details, error: PlainErrorBody?
  ) {
    self.isValid = isValid
    self.voucher = voucher
    self.discountAmount = discountAmount
    self.finalAmount = finalAmount
    self.currency = currency
    self.validationDetails = validationDetails
    self.error = error
  }
}

/// The answer of `POST /vouchers/apply`: the application, the same one for every apply of
/// the code on the order.
public struct PlainApplication: Codable, Equatable, Sendable {
  public struct VoucherRef: Codable, Equatable, Sendable {
    public var id: String
    public var code: String

    public init(id: String, code: String) {
      self.id = id
      self.code = code
    }
  }

  public var id: String
  public var voucher: VoucherRef
  public var orderId: String
  public var discountAmount: Decimal
  public var finalAmount: Decimal
  public var currency: String
  public var appliedAt: String

  enum CodingKeys: String, CodingKey {
    case id, voucher, orderId = "order_id", discountAmount = "discount_amount"
    case finalAmount = "final_amount", currency, appliedAt = "applied_at"
  }

  public init(
    id: String, voucher: VoucherRef, orderId: String, discountAmount: Decimal,
    finalAmount: Decimal, currency: String, appliedAt: String
  ) {
    self.id = id
    self.voucher = voucher
    self.orderId = orderId
    self.discountAmount = discountAmount
    self.finalAmount = finalAmount
    self.currency = currency
    self.appliedAt = appliedAt
  }
}

/// `GET /vouchers`.
public struct PlainVoucherList: Codable, Equatable, Sendable {
  public var data: [PlainVoucher]
  public var total: Int
  public var limit: Int
  public var offset: Int
  public var hasMore: Bool

  enum CodingKeys: String, CodingKey {
    case data, total, limit, offset, hasMore = "has_more"
  }

  public init(data: [PlainVoucher], total: Int, limit: Int, offset: Int, hasMore: Bool) {
    self.data = data
    self.total = total
    self.limit = limit
    self.offset = offset
    self.hasMore = hasMore
  }
}

/// `DELETE /vouchers/{id}`.
public struct PlainDeletion: Codable, Equatable, Sendable {
  public var id: String
  public var deletedAt: String

  enum CodingKeys: String, CodingKey {
    case id, deletedAt = "deleted_at"
  }

  public init(id: String, deletedAt: String) {
    self.id = id
    self.deletedAt = deletedAt
  }
}

/// `{error: {code, message, details}}`.
public struct PlainError: Codable, Equatable, Sendable, Error {
  public var error: PlainErrorBody

  public init(status: Int, code: String, message: String, details: [PlainFieldError] = []) {
    error = PlainErrorBody(code: code, message: message, details: details)
    self.status = status
  }

  /// The HTTP status it goes with (not on the wire).
  public var status: Int = 400

  enum CodingKeys: String, CodingKey {
    case error
  }
}

public struct PlainErrorBody: Codable, Equatable, Sendable {
  public var code: String
  public var message: String
  public var details: [PlainFieldError]

  public init(code: String, message: String, details: [PlainFieldError]) {
    self.code = code
    self.message = message
    self.details = details
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    code = try container.decode(String.self, forKey: .code)
    message = try container.decode(String.self, forKey: .message)
    details = try container.decodeIfPresent([PlainFieldError].self, forKey: .details) ?? []
  }

  enum CodingKeys: String, CodingKey {
    case code, message, details
  }
}

/// One field a 400 names.
public struct PlainFieldError: Codable, Equatable, Sendable {
  public var field: String
  public var message: String

  public init(field: String, message: String) {
    self.field = field
    self.message = message
  }
}
