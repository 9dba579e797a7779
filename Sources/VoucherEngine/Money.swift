/// Money helpers: amounts are `Int64` minor units (öre, cents); never floating point.
public enum Money {
  /// Why an amount typed by a person could not be read.
  public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case notANumber(String)
    case tooManyDecimals(String)
    case negative(String)
    case tooLarge(String)

    public var description: String {
      switch self {
      case .empty: "no amount given"
      case .notANumber(let text): "“\(text)” is not an amount (write it like 129.50)"
      case .tooManyDecimals(let text): "“\(text)” has more than two decimals"
      case .negative(let text): "“\(text)” is negative"
      case .tooLarge(let text): "“\(text)” is too large"
      }
    }
  }

  /// The largest amount accepted anywhere: 10^15 minor units keeps every sum and product of
  /// a cart far from `Int64.max`.
  public static let maximum: Int64 = 1_000_000_000_000_000

  /// Reads `129.50`, `129,50`, `129.5` or `129` into minor units (12950).
  ///
  /// - Throws: `Money.ParseError` for anything else (signs, thousands separators, three
  ///   decimals, letters, amounts above `maximum`).
  public static func parse(_ input: String) throws(ParseError) -> Int64 {
    let text = input.trimmingSpaces()
    guard !text.isEmpty else { throw .empty }
    if text.hasPrefix("-") { throw .negative(text) }
    let parts = text.split(
      separator: text.contains(",") ? "," : ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let whole = parts.first, !whole.isEmpty,
      whole.allSatisfy(\.isASCIIDigit)
    else { throw .notANumber(text) }
    var fraction = parts.count == 2 ? String(parts[1]) : ""
    guard fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else {
      throw .notANumber(text)
    }
    guard fraction.count <= 2 else { throw .tooManyDecimals(text) }
    while fraction.count < 2 { fraction += "0" }
    guard whole.count <= 16, let units = Int64(whole), let cents = Int64(fraction) else {
      throw .tooLarge(text)
    }
    let (scaled, overflow) = units.multipliedReportingOverflow(by: 100)
    guard !overflow, scaled + cents <= maximum else { throw .tooLarge(text) }
    return scaled + cents
  }

  /// Writes minor units as `1234.50` (no grouping, dot decimal: the form `parse` reads back).
  public static func format(_ minor: Int64) -> String {
    let sign = minor < 0 ? "-" : ""
    let magnitude = minor.magnitude
    let cents = magnitude % 100
    return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
  }

  /// `base × basisPoints / 10000`, rounded half-up, without intermediate overflow.
  ///
  /// - Parameters:
  ///   - base: a non-negative amount in minor units.
  ///   - basisPoints: hundredths of a percent (12.5 % = 1250), 0...10000.
  public static func percent(of base: Int64, basisPoints: Int64) -> Int64 {
    let whole = (base / 10_000) * basisPoints
    let rest = ((base % 10_000) * basisPoints + 5_000) / 10_000
    return whole + rest
  }
}

extension Character {
  var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
  /// Without leading and trailing whitespace (Unicode-aware, fast for plain ASCII).
  public func trimmingSpaces() -> String {
    // Nearly every input starts and ends with a visible ASCII character: skip the Unicode
    // property lookups then (they dominate bulk imports otherwise).
    // (Bytes, not Characters: a visible ASCII byte is never whitespace whatever character
    // it belongs to, and `last` as a Character would cost a grapheme break search.)
    if let first = utf8.first, first > 0x20, first < 0x7F,
      let last = Substring(self).utf8.last, last > 0x20, last < 0x7F
    {
      return String(self)
    }
    var scalars = Substring(self).unicodeScalars[...]
    while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
    while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
    return String(String.UnicodeScalarView(scalars))
  }
}
