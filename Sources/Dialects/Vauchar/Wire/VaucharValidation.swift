import Foundation
import VoucherEngine

/// `validation_status`: 1000 means valid (Vauchar's documented value). Vauchar publishes no
/// other values; the others below are this server's, one per reason a voucher is refused.
public struct VaucharValidationStatus: Codable, Equatable, Sendable {
  public var status: Int
  public var message: String

  public init(status: Int, message: String) {
    self.status = status
    self.message = message
  }

  public static let valid = 1000
  public static let expired = 1001
  public static let redeemed = 1002
  public static let notActiveYet = 1003
  public static let disabled = 1004

  /// The status of a voucher whose engine status is `status`.
  public init(_ status: VoucherStatus) {
    switch status {
    case .active: self.init(status: Self.valid, message: "Voucher is valid")
    case .expired: self.init(status: Self.expired, message: "Voucher has expired")
    case .used, .noBalance:
      self.init(status: Self.redeemed, message: "Voucher has already been redeemed")
    case .notActiveYet: self.init(status: Self.notActiveYet, message: "Voucher is not active yet")
    case .disabled: self.init(status: Self.disabled, message: "Voucher is disabled")
    }
  }

  /// The engine's reason for a refused status; nil for a valid one.
  public func reason(code: String, voucher: Voucher) -> Reason? {
    switch status {
    case Self.valid: nil
    case Self.expired:
      .voucherExpired(expiredAt: voucher.expirationDate ?? Date(timeIntervalSince1970: 0))
    case Self.redeemed: .quantityExceeded(lastUse: nil)
    case Self.notActiveYet:
      .voucherNotActive(startsAt: voucher.startDate ?? Date(timeIntervalSince1970: 0))
    case Self.disabled: .voucherDisabled
    default: .invalidPayload("Vauchar refused \(code): \(message)")
    }
  }
}

/// The answer of `GET /vouchers/validate?voucher_code=`.
public struct VaucharValidation: Codable, Equatable, Sendable {
  public var validationStatus: VaucharValidationStatus
  public var data: VaucharVoucher

  enum CodingKeys: String, CodingKey {
    case validationStatus = "validation_status", data
  }

  public init(validationStatus: VaucharValidationStatus, data: VaucharVoucher) {
    self.validationStatus = validationStatus
    self.data = data
  }
}

/// Times on Vauchar's wire: whole Unix seconds.
public enum VaucharTime {
  public static func seconds(_ date: Date) -> Int64 {
    Int64(date.timeIntervalSince1970.rounded(.down))
  }

  public static func date(_ seconds: Int64) -> Date {
    Date(timeIntervalSince1970: TimeInterval(seconds))
  }
}

/// Money on Vauchar's wire: decimal strings in responses (`"185.00"`), a JSON number in the
/// redemption request; both converted to minor units here, never inside the engine.
public enum VaucharMoney {
  /// `"185.00"`.
  public static func text(_ minor: Int64) -> String { Money.format(minor) }

  /// Minor units of a decimal with at most two decimals; nil for anything else.
  public static func minor(_ decimal: Decimal) -> Int64? {
    guard !decimal.isNaN, decimal >= 0 else { return nil }
    return try? Money.parse("\(decimal)")
  }

  /// The JSON number for `minor`: significand × 10⁻², exact.
  public static func decimal(_ minor: Int64) -> Decimal {
    Decimal(sign: minor < 0 ? .minus : .plus, exponent: -2, significand: Decimal(minor.magnitude))
  }
}
