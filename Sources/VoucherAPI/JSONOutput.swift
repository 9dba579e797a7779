import Foundation
import VoucherEngine

/// A value that writes its own JSON text, field by field, without going through `Encoder`.
///
/// The wire types of the hot routes (validation, redemption, voucher, customer, errors)
/// conform: their responses were a third of the server's instructions when they went through
/// the generic `Encodable` machinery (boxed containers, metadata lookups per field). Each
/// conformance writes exactly the members its synthesized `Encodable` writes, with the same
/// optional rules (`fieldIfPresent` for a plain optional, `fieldOrNull` for `@NullEncoded`);
/// a test compares both encodings for every type.
protocol JSONWritable {
  func writeJSON(to json: inout JSONOutput)
}

/// Compact JSON text being written. Commas are placed by one rule: a value or key that
/// follows a finished value in the same object or array is preceded by one.
struct JSONOutput {
  var bytes: [UInt8] = []
  private var needsComma = false

  init() { bytes.reserveCapacity(2048) }

  mutating func object(_ members: (inout JSONOutput) -> Void) {
    beginValue()
    bytes.append(UInt8(ascii: "{"))
    needsComma = false
    members(&self)
    bytes.append(UInt8(ascii: "}"))
    needsComma = true
  }

  mutating func array<Element: JSONWritable>(_ elements: [Element]) {
    beginValue()
    bytes.append(UInt8(ascii: "["))
    needsComma = false
    for element in elements { element.writeJSON(to: &self) }
    bytes.append(UInt8(ascii: "]"))
    needsComma = true
  }

  /// A member whose value is always written.
  mutating func field(_ name: StaticString, _ value: some JSONWritable) {
    key(name)
    value.writeJSON(to: &self)
  }

  /// A member left out when nil, as synthesized `Encodable` does for optionals.
  mutating func fieldIfPresent(_ name: StaticString, _ value: (some JSONWritable)?) {
    guard let value else { return }
    field(name, value)
  }

  /// A member written as `null` when nil (`@NullEncoded`).
  mutating func fieldOrNull(_ name: StaticString, _ value: (some JSONWritable)?) {
    key(name)
    if let value { value.writeJSON(to: &self) } else { scalar("null") }
  }

  /// A literal value (a number's digits, `true`, `null`), written as it is.
  mutating func scalar(_ literal: StaticString) {
    beginValue()
    bytes.appendJSONLiteral(literal)
    needsComma = true
  }

  mutating func string(_ value: String) {
    beginValue()
    bytes.appendJSONString(value)
    needsComma = true
  }

  mutating func integer(_ value: some FixedWidthInteger) {
    beginValue()
    bytes.appendJSONInteger(value)
    needsComma = true
  }

  /// A number given as its literal text (a `Decimal`'s description).
  mutating func number(_ literal: String) {
    beginValue()
    bytes.append(contentsOf: literal.utf8)
    needsComma = true
  }

  /// A member whose name is only known at run time (a metadata key).
  mutating func field(named name: String, _ value: some JSONWritable) {
    if needsComma { bytes.append(UInt8(ascii: ",")) }
    bytes.appendJSONString(name)
    bytes.append(UInt8(ascii: ":"))
    needsComma = false
    value.writeJSON(to: &self)
  }

  private mutating func key(_ name: StaticString) {
    if needsComma { bytes.append(UInt8(ascii: ",")) }
    bytes.append(UInt8(ascii: "\""))
    bytes.appendJSONLiteral(name)
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: ":"))
    needsComma = false
  }

  private mutating func beginValue() {
    if needsComma { bytes.append(UInt8(ascii: ",")) }
  }
}

extension String: JSONWritable {
  func writeJSON(to json: inout JSONOutput) { json.string(self) }
}

extension Int: JSONWritable {
  func writeJSON(to json: inout JSONOutput) { json.integer(self) }
}

extension Int64: JSONWritable {
  func writeJSON(to json: inout JSONOutput) { json.integer(self) }
}

extension Bool: JSONWritable {
  func writeJSON(to json: inout JSONOutput) { json.scalar(self ? "true" : "false") }
}

extension Decimal: JSONWritable {
  /// As `JSONEncoder` writes it: the description. Wire decimals are made from integers
  /// (amounts, basis points), so NaN, which JSON cannot hold, does not occur; it would be
  /// written as `null`.
  func writeJSON(to json: inout JSONOutput) {
    if isNaN { json.scalar("null") } else { json.number(description) }
  }
}

extension Array: JSONWritable where Element: JSONWritable {
  func writeJSON(to json: inout JSONOutput) { json.array(self) }
}

extension Dictionary: JSONWritable where Key == String, Value: JSONWritable {
  /// Keys sorted, so the text is the same on every run.
  func writeJSON(to json: inout JSONOutput) {
    let members = sorted { $0.key < $1.key }
    json.object { json in
      for (key, value) in members { json.field(named: key, value) }
    }
  }
}

extension VoucherStatus: JSONWritable {
  func writeJSON(to json: inout JSONOutput) { json.string(rawValue) }
}

/// The scalar pieces of JSON text, shared by `JSONOutput` and `StreamingJSONEncoder`.
extension [UInt8] {
  mutating func appendJSONLiteral(_ text: StaticString) {
    append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  mutating func appendJSONInteger(_ value: some FixedWidthInteger) {
    if value < 0 { append(UInt8(ascii: "-")) }
    var rest = UInt64(value.magnitude)
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var start = 20
      repeat {
        start -= 1
        digits[start] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
        rest /= 10
      } while rest != 0
      append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
    }
  }

  mutating func appendJSONString(_ value: String) {
    var value = value
    value.withUTF8 { appendJSONQuoted($0) }
  }

  /// `utf8` in quotes, escaped per RFC 8259: `"`, `\` and control characters. Runs that need
  /// no escape are copied in one go.
  mutating func appendJSONQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
    append(UInt8(ascii: "\""))
    var start = 0
    for index in 0..<utf8.count {
      let byte = utf8[index]
      guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
        continue
      }
      if start < index {
        append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
      }
      start = index + 1
      append(UInt8(ascii: "\\"))
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"): append(byte)
      case 0x0A: append(UInt8(ascii: "n"))
      case 0x0D: append(UInt8(ascii: "r"))
      case 0x09: append(UInt8(ascii: "t"))
      case 0x08: append(UInt8(ascii: "b"))
      case 0x0C: append(UInt8(ascii: "f"))
      default:
        let hex: StaticString = "0123456789abcdef"
        appendJSONLiteral("u00")
        append(hex.utf8Start[Int(byte >> 4)])
        append(hex.utf8Start[Int(byte & 0xF)])
      }
    }
    if start < utf8.count {
      append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
    }
    append(UInt8(ascii: "\""))
  }
}
