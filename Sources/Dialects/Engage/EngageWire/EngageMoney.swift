import Foundation
import VoucherEngine

/// `value` and `localValues[]` of a reward voucher: a currency and a decimal amount in the
/// currency's main unit (100 SEK is `100`). Converted to and from minor units here, at the
/// dialect's edge, never inside.
public struct EngageMoney: Codable, Sendable, Equatable {
  public var currency: String
  public var amount: Decimal

  public init(currency: String, amount: Decimal) {
    self.currency = currency
    self.amount = amount
  }

  /// `minor` hundredths as the decimal amount (12950 → 129.5).
  public init(currency: String, minorUnits minor: Int64) {
    self.currency = currency
    amount = Decimal(
      sign: minor < 0 ? .minus : .plus, exponent: -2, significand: Decimal(minor.magnitude))
  }

  /// The amount in hundredths; nil for a negative amount, more than two decimals, or one
  /// beyond `Money.maximum`.
  public var minorUnits: Int64? {
    guard !amount.isNaN, amount >= 0 else { return nil }
    var scaled = amount * 100
    var rounded = Decimal()
    NSDecimalRound(&rounded, &scaled, 0, .plain)
    guard rounded == scaled, rounded <= Decimal(Money.maximum) else { return nil }
    return Int64(truncating: NSDecimalNumber(decimal: rounded))
  }
}
