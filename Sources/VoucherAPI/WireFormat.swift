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

  /// Encodes `value` as compact JSON, keys in declaration order. Every response body but the
  /// validation answer (`WireValidation.json`) goes through here: the hot routes' types write
  /// themselves (`JSONWritable`), the rest stream (`StreamingJSONEncoder`) rather than
  /// building the value tree `JSONEncoder` does. Wire types hold only strings, integers,
  /// booleans and decimals, so this cannot fail in practice.
  public static func encode<Value: Encodable>(_ value: Value) -> Data {
    // The type is asked, not the value: `value as? any JSONWritable` boxed a copy of the
    // whole answer (a redemption with its voucher) only to write it.
    if let writable = Value.self as? any JSONWritable.Type {
      func write<Writable: JSONWritable>(_: Writable.Type) -> Data {
        withUnsafePointer(to: value) { pointer in
          // `Writable` is `Value`, known only now.
          pointer.withMemoryRebound(to: Writable.self, capacity: 1) { writable in
            var json = JSONOutput()
            writable.pointee.writeJSON(to: &json)
            return json.data()
          }
        }
      }
      return write(writable)
    }
    return (try? StreamingJSONEncoder().encode(value)) ?? Data("{}".utf8)
  }

  /// ISO 8601 in UTC with milliseconds, the precision the engine stores:
  /// `2026-11-23T14:05:00.123Z`.
  ///
  /// Written by hand rather than with `Date.ISO8601FormatStyle`, for two reasons: the style
  /// cost about 4 µs per date (a voucher has four), and it truncates, so a stored
  /// `…00.123` (held as the double 0.12299…) came out as `.122`. Here the instant is rounded
  /// to the nearest millisecond first.
  public static func date(_ date: Date) -> String {
    // Written into the string's own storage: one allocation, where an array of bytes turned
    // into a `String` was two and a copy (six dates in every validation answer).
    let text = String(unsafeUninitializedCapacity: 24) { text in
      write(date, into: text.baseAddress!) ? 24 : 0
    }
    guard text.isEmpty else { return text }
    return date.formatted(
      Date.ISO8601FormatStyle(
        includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
  }

  /// Writes `date(date)`'s 24 bytes at `text`, or returns false for a year outside
  /// 0000–9999, which takes the format style.
  static func write(_ date: Date, into text: UnsafeMutablePointer<UInt8>) -> Bool {
    let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
    let (days, inDay) = floorDivision(milliseconds, 86_400_000)
    let (year, month, day) = civilDate(daysSince1970: days)
    guard (0...9999).contains(year) else { return false }
    digits(year, 4, at: text)
    text[4] = UInt8(ascii: "-")
    digits(month, 2, at: text + 5)
    text[7] = UInt8(ascii: "-")
    digits(day, 2, at: text + 8)
    text[10] = UInt8(ascii: "T")
    digits(inDay / 3_600_000, 2, at: text + 11)
    text[13] = UInt8(ascii: ":")
    digits(inDay / 60_000 % 60, 2, at: text + 14)
    text[16] = UInt8(ascii: ":")
    digits(inDay / 1000 % 60, 2, at: text + 17)
    text[19] = UInt8(ascii: ".")
    digits(inDay % 1000, 3, at: text + 20)
    text[23] = UInt8(ascii: "Z")
    return true
  }

  /// The last `count` decimal digits of a non-negative `value`, zero-padded.
  @inline(__always)
  private static func digits(_ value: Int64, _ count: Int, at text: UnsafeMutablePointer<UInt8>) {
    var rest = value
    for offset in (0..<count).reversed() {
      text[offset] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
      rest /= 10
    }
  }

  /// `/v1/vouchers/CODE/redemption`, a voucher's redemptions. Built in storage reserved at
  /// once: interpolation grew the string twice, in every voucher of every answer.
  static func redemptionsPath(code: String) -> String {
    var path = "/v1/vouchers/"
    path.reserveCapacity(24 + code.utf8.count)
    path += code
    path += "/redemption"
    return path
  }

  /// Quotient rounded toward minus infinity, and the non-negative remainder.
  private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
    let remainder = value % divisor
    return remainder < 0 ? (value / divisor - 1, remainder + divisor) : (value / divisor, remainder)
  }

  /// The proleptic Gregorian date of a day count from 1970-01-01. Counts in 400-year eras
  /// (146,097 days each) from 0000-03-01, so that the leap day ends a year.
  private static func civilDate(daysSince1970: Int64) -> (year: Int64, month: Int64, day: Int64) {
    let (era, dayOfEra) = floorDivision(daysSince1970 + 719_468, 146_097)
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153  // 0 = March … 11 = February
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (year, month, day)
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

  /// Basis points as the `percent_off` number. Built as significand × 10⁻² rather than
  /// divided by 100: `Decimal` division took about 3 µs, an eighth of a whole validation
  /// request in the server's profile.
  public static func percent(basisPoints: Int64) -> Decimal {
    Decimal(
      sign: basisPoints < 0 ? .minus : .plus, exponent: -2,
      significand: Decimal(basisPoints.magnitude))
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
