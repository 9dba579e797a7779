import Foundation

/// An optional that is written as `null` when absent, rather than left out: Voucherify's
/// schemas require some fields (`customer_id`, `tracking_id`, …) that may hold null. Reading
/// accepts a missing key as nil.
@propertyWrapper
public struct NullEncoded<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
  public var wrappedValue: Value?

  public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
  }
}

extension KeyedDecodingContainer {
  /// A missing key reads as nil (the synthesized decoder would call it an error).
  public func decode<Value>(_ type: NullEncoded<Value>.Type, forKey key: Key) throws
    -> NullEncoded<Value>
  {
    try decodeIfPresent(type, forKey: key) ?? NullEncoded(wrappedValue: nil)
  }
}

/// Dates, numbers and coders as the REST API writes them.
public enum WireFormat {
  /// A JSON encoder for API bodies: keys sorted (stable output), slashes unescaped.
  public static func encoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }

  /// Encodes `value` as compact JSON, keys in declaration order. Every response body goes
  /// through here, so it streams (`StreamingJSONEncoder`) rather than building the value tree
  /// `JSONEncoder` does. Wire types hold only strings, integers, booleans and decimals, so
  /// this cannot fail in practice.
  public static func encode(_ value: some Encodable) -> Data {
    (try? StreamingJSONEncoder().encode(value)) ?? Data("{}".utf8)
  }

  /// ISO 8601 in UTC with milliseconds, the precision the engine stores.
  public static func date(_ date: Date) -> String {
    date.formatted(
      Date.ISO8601FormatStyle(
        includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
  }

  /// An optional date, for optional fields.
  public static func date(_ date: Date?) -> String? { date.map { Self.date($0) } }

  /// Reads an ISO 8601 date with or without fractional seconds, rounded to whole
  /// milliseconds exactly as the engine reads its own stored dates.
  public static func date(from text: String) -> Date? {
    let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    let parsed = (try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    guard let parsed else { return nil }
    let milliseconds = (parsed.timeIntervalSince1970 * 1000).rounded()
    return Date(timeIntervalSince1970: milliseconds / 1000)
  }

  /// Voucherify's `percent_off` (a JSON number, 12.5) as basis points (1250). Decimal, never
  /// floating point: at most two decimals are accepted.
  public static func basisPoints(percent: Decimal) -> Int64? {
    minorUnits(percent)
  }

  /// Basis points as the `percent_off` number.
  public static func percent(basisPoints: Int64) -> Decimal {
    Decimal(basisPoints) / 100
  }

  /// A Decimal with at most two decimals, scaled by 100 (12.5 → 1250). Nil for negative
  /// numbers, more decimals, or values beyond `Money.maximum`.
  static func minorUnits(_ value: Decimal) -> Int64? {
    guard !value.isNaN, value >= 0 else { return nil }
    let text = "\(value)"
    guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return nil }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 16 else {
      return nil
    }
    var fraction = parts.count == 2 ? String(parts[1]) : ""
    guard fraction.count <= 2 else { return nil }
    while fraction.count < 2 { fraction += "0" }
    guard let units = Int64(whole), let cents = Int64(fraction) else { return nil }
    let (scaled, overflow) = units.multipliedReportingOverflow(by: 100)
    guard !overflow, scaled <= 1_000_000_000_000_000 - cents else { return nil }
    return scaled + cents
  }

  /// A JSON number that must be a whole amount in minor units (Voucherify types some amounts
  /// as `number`): 1000 and 1000.0 pass, 1000.5 does not.
  public static func wholeAmount(_ value: Decimal) -> Int64? {
    guard let scaled = minorUnits(value), scaled % 100 == 0 else { return nil }
    return scaled / 100
  }
}
