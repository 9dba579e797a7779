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
///
/// The text goes into one `malloc`ed buffer that is handed to the response's `Data` without a
/// copy. Appending to a `[UInt8]` instead checked uniqueness and capacity on every byte run
/// and went through the generic `append(contentsOf:)`: 40 % of a validation answer's cost.
/// Each write here reserves its worst case once and then stores bytes directly.
struct JSONOutput: ~Copyable {
  private var base: UnsafeMutablePointer<UInt8>
  private var count = 0
  private var capacity: Int
  private var needsComma = false

  /// `capacity` covers a validation answer (about 2.6 KB) without growing.
  init(capacity: Int = 4096) {
    self.capacity = capacity
    base = malloc(capacity)!.assumingMemoryBound(to: UInt8.self)
  }

  deinit { free(base) }

  /// The text written, owning the buffer.
  consuming func data() -> Data {
    let (base, count) = (self.base, self.count)
    discard self
    return Data(bytesNoCopy: base, count: count, deallocator: .free)
  }

  mutating func object(_ members: (inout JSONOutput) -> Void) {
    reserve(2)
    if needsComma { put(UInt8(ascii: ",")) }
    put(UInt8(ascii: "{"))
    needsComma = false
    members(&self)
    reserve(1)
    put(UInt8(ascii: "}"))
    needsComma = true
  }

  mutating func array<Element: JSONWritable>(_ elements: [Element]) {
    reserve(2)
    if needsComma { put(UInt8(ascii: ",")) }
    put(UInt8(ascii: "["))
    needsComma = false
    for element in elements { element.writeJSON(to: &self) }
    reserve(1)
    put(UInt8(ascii: "]"))
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

  /// A member whose value `write` writes (one value).
  mutating func field(_ name: StaticString, _ write: (inout JSONOutput) -> Void) {
    key(name)
    write(&self)
  }

  /// An array of what `write` writes for each element.
  mutating func array<Elements: Sequence>(
    _ elements: Elements, _ write: (inout JSONOutput, Elements.Element) -> Void
  ) {
    reserve(2)
    if needsComma { put(UInt8(ascii: ",")) }
    put(UInt8(ascii: "["))
    needsComma = false
    for element in elements { write(&self, element) }
    reserve(1)
    put(UInt8(ascii: "]"))
    needsComma = true
  }

  /// A date as `WireFormat.date` writes it, straight into the text.
  mutating func date(_ date: Date) {
    reserve(27)
    let start = count + (needsComma ? 1 : 0)
    guard WireFormat.write(date, into: base + start + 1) else {
      string(WireFormat.date(date))
      return
    }
    if needsComma { base[count] = UInt8(ascii: ",") }
    base[start] = UInt8(ascii: "\"")
    base[start + 25] = UInt8(ascii: "\"")
    count = start + 26
    needsComma = true
  }

  /// A literal value (a number's digits, `true`, `null`), written as it is.
  mutating func scalar(_ literal: StaticString) {
    let length = literal.utf8CodeUnitCount
    reserve(length + 1)
    if needsComma { put(UInt8(ascii: ",")) }
    put(literal.utf8Start, length)
    needsComma = true
  }

  mutating func string(_ value: String) {
    openString()
    Self.withUTF8(of: value) { escaped($0) }
    reserve(1)
    put(UInt8(ascii: "\""))
  }

  /// Runs `body` on the UTF-8 of `value`.
  @inline(__always)
  private static func withUTF8(of value: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
    // Native and small strings have contiguous UTF-8; a bridged one is copied first.
    let done: Void? = value.utf8.withContiguousStorageIfAvailable(body)
    if done == nil {
      var copy = value
      copy.withUTF8(body)
    }
  }

  mutating func integer(_ value: some FixedWidthInteger) {
    reserve(22)
    if needsComma { put(UInt8(ascii: ",")) }
    if value < 0 { put(UInt8(ascii: "-")) }
    var rest = UInt64(value.magnitude)
    var digits = 1
    var bound: UInt64 = 10
    while digits < 20, rest >= bound {
      digits += 1
      bound &*= 10
    }
    count += digits
    var position = count
    repeat {
      position -= 1
      base[position] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
      rest /= 10
    } while rest != 0
    needsComma = true
  }

  /// A value's JSON text, as it is.
  mutating func value(prewritten text: UnsafeBufferPointer<UInt8>) {
    reserve(text.count + 1)
    if needsComma { put(UInt8(ascii: ",")) }
    if let start = text.baseAddress { put(start, text.count) }
    needsComma = true
  }

  /// A string of a static prefix, `value` and a static suffix (a path naming a code), as
  /// `string(prefix + value + suffix)` writes it; the fixed parts need no escape.
  mutating func string(_ prefix: StaticString, _ value: String, _ suffix: StaticString) {
    openString()
    reserve(prefix.utf8CodeUnitCount)
    put(prefix.utf8Start, prefix.utf8CodeUnitCount)
    Self.withUTF8(of: value) { escaped($0) }
    reserve(suffix.utf8CodeUnitCount + 1)
    put(suffix.utf8Start, suffix.utf8CodeUnitCount)
    put(UInt8(ascii: "\""))
  }

  /// A number given as its literal text (a `Decimal`'s description).
  mutating func number(_ literal: String) {
    var literal = literal
    literal.withUTF8 { utf8 in
      reserve(utf8.count + 1)
      if needsComma { put(UInt8(ascii: ",")) }
      put(utf8.baseAddress!, utf8.count)
    }
    needsComma = true
  }

  /// A decimal as `Decimal.description` writes it: plain notation, every digit of the
  /// mantissa kept, `0.` before a fraction below one.
  mutating func decimal(_ parts: DecimalParts) {
    var digits = 1
    var bound: UInt64 = 10
    while digits < 20, parts.mantissa >= bound {
      digits += 1
      bound &*= 10
    }
    let scale = -parts.exponent
    let zeros = max(parts.exponent, 0) + max(scale - digits, 0)
    reserve(digits + zeros + 4)
    if needsComma { put(UInt8(ascii: ",")) }
    needsComma = true
    if parts.isNegative { put(UInt8(ascii: "-")) }
    if scale >= digits {
      put(UInt8(ascii: "0"))
      put(UInt8(ascii: "."))
      for _ in 0..<(scale - digits) { put(UInt8(ascii: "0")) }
    }
    // Digits from the last, a point after the fraction's `scale` of them.
    let pointAt = scale > 0 && scale < digits ? scale : -1
    let width = digits + (pointAt > 0 ? 1 : 0)
    var rest = parts.mantissa
    var position = count + width
    var written = 0
    while position > count {
      position -= 1
      if written == pointAt {
        base[position] = UInt8(ascii: ".")
        written = -1
        continue
      }
      base[position] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
      rest /= 10
      if written >= 0 { written += 1 }
    }
    count += width
    for _ in 0..<max(parts.exponent, 0) { put(UInt8(ascii: "0")) }
  }

  /// A member whose name is only known at run time (a metadata key).
  mutating func field(named name: String, _ value: some JSONWritable) {
    string(name)
    reserve(1)
    put(UInt8(ascii: ":"))
    needsComma = false
    value.writeJSON(to: &self)
  }

  private mutating func key(_ name: StaticString) {
    let length = name.utf8CodeUnitCount
    reserve(length + 4)
    if needsComma { put(UInt8(ascii: ",")) }
    put(UInt8(ascii: "\""))
    put(name.utf8Start, length)
    put(UInt8(ascii: "\""))
    put(UInt8(ascii: ":"))
    needsComma = false
  }

  /// The comma if one is due, and a string's opening quote.
  private mutating func openString() {
    reserve(2)
    if needsComma { put(UInt8(ascii: ",")) }
    needsComma = true
    put(UInt8(ascii: "\""))
  }

  /// `utf8` escaped per RFC 8259 (`"`, `\\` and control characters) exactly as
  /// `appendJSONQuoted` does, without the quotes. Text needing no escape, nearly all of it,
  /// is one copy.
  private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
    let length = utf8.count
    guard let source = utf8.baseAddress, length > 0 else { return }
    reserve(length)
    // Eight bytes at a time while none of them needs an escape, then byte by byte.
    var index = 0
    while index + 8 <= length {
      let word = UnsafeRawPointer(source + index).loadUnaligned(as: UInt64.self)
      if Self.needsEscape(word) { break }
      index += 8
    }
    while index < length, !JSONEscape.isNeeded(source[index]) { index += 1 }
    put(source, index)
    if index < length { escapedRest(UnsafeBufferPointer(rebasing: utf8[index...])) }
  }

  /// Whether any byte of `word` is a control character, `"` or `\\` (exact: the bit
  /// tricks of "Bit Twiddling Hacks", `hasless` and `haszero`, answer for the whole word).
  @inline(__always)
  private static func needsEscape(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
    let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
    let control = (word &- ones &* 0x20) & ~word
    let quote = (quotes &- ones) & ~quotes
    let backslash = (backslashes &- ones) & ~backslashes
    return (control | quote | backslash) & highs != 0
  }

  /// The rest of a string from its first byte needing an escape.
  private mutating func escapedRest(_ utf8: UnsafeBufferPointer<UInt8>) {
    // Six bytes (`\u00XX`) per input byte at most.
    reserve(utf8.count * 6)
    for byte in utf8 {
      if JSONEscape.isNeeded(byte) {
        JSONEscape.write(byte) { put($0) }
      } else {
        put(byte)
      }
    }
  }

  // MARK: Buffer

  /// Room for `extra` more bytes; every `put` is covered by a `reserve` before it.
  @inline(__always)
  private mutating func reserve(_ extra: Int) {
    if count + extra > capacity { grow(to: count + extra) }
  }

  private mutating func grow(to needed: Int) {
    capacity = max(capacity * 2, needed)
    base = realloc(base, capacity)!.assumingMemoryBound(to: UInt8.self)
  }

  @inline(__always)
  private mutating func put(_ byte: UInt8) {
    base[count] = byte
    count += 1
  }

  @inline(__always)
  private mutating func put(_ bytes: UnsafePointer<UInt8>, _ length: Int) {
    (base + count).update(from: bytes, count: length)
    count += length
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
    if isNaN {
      json.scalar("null")
    } else if let parts = DecimalParts(self) {
      json.decimal(parts)
    } else {
      json.number(description)
    }
  }
}

/// A `Decimal`'s sign, exponent and mantissa, when the mantissa fits 64 bits: enough to
/// write its `description` without `description`, which cost about 5,000 instructions per
/// number (a long division per digit, a `String` built backwards), twice per validation.
///
/// `Decimal` keeps these fields internal, so they are read from its storage: the exponent
/// (`Int8`), then length (high four bits) and sign (bit 3), two reserved bytes, and eight
/// 16-bit mantissa words, least significant first. Foundation could change that layout, so
/// it is checked once against `description` on numbers of every shape; if any differs,
/// every `Decimal` is written through `description` as before.
struct DecimalParts {
  var isNegative: Bool
  var exponent: Int
  var mantissa: UInt64

  init?(_ value: Decimal) {
    guard Self.layoutIsKnown, let parts = Self(reading: value) else { return nil }
    self = parts
  }

  private init?(reading value: Decimal) {
    guard MemoryLayout<Decimal>.size == 20 else { return nil }
    let parts: DecimalParts? = withUnsafeBytes(of: value) { raw in
      let length = Int(raw[1] >> 4)
      // Zero (length 0) and mantissas beyond 64 bits take the slow path.
      guard (1...4).contains(length) else { return nil }
      var mantissa: UInt64 = 0
      for word in (0..<length).reversed() {
        mantissa =
          mantissa << 16 | UInt64(raw.loadUnaligned(fromByteOffset: 4 + 2 * word, as: UInt16.self))
      }
      guard mantissa != 0 else { return nil }
      return DecimalParts(
        isNegative: raw[1] & 0x08 != 0, exponent: Int(Int8(bitPattern: raw[0])),
        mantissa: mantissa)
    }
    guard let parts else { return nil }
    self = parts
  }

  private init(isNegative: Bool, exponent: Int, mantissa: UInt64) {
    (self.isNegative, self.exponent, self.mantissa) = (isNegative, exponent, mantissa)
  }

  /// Whether reading the storage gives back exactly what `description` writes.
  static let layoutIsKnown: Bool = {
    let samples = [
      "7", "12.5", "0.01", "0.5", "1000", "-3", "-0.25", "99.99", "123.456", "5e-7",
      "18446744073709551615", "1844674407370955.1615", "65536", "4294967296", "12e3",
    ].compactMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
    return samples.count == 15
      && samples.allSatisfy { sample in
        guard let parts = DecimalParts(reading: sample) else { return false }
        var json = JSONOutput(capacity: 64)
        json.decimal(parts)
        return json.data() == Data(sample.description.utf8)
      }
  }()
}

extension Array: JSONWritable where Element: JSONWritable {
  func writeJSON(to json: inout JSONOutput) { json.array(self) }
}

extension Dictionary: JSONWritable where Key == String, Value: JSONWritable {
  /// Keys sorted, so the text is the same on every run. Metadata mostly has one entry or
  /// none, which need no sorted copy.
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      if count <= 1 {
        for (key, value) in self { json.field(named: key, value) }
      } else {
        for (key, value) in sorted(by: { $0.key < $1.key }) { json.field(named: key, value) }
      }
    }
  }
}

/// A value's JSON written once and kept: for members that are the same in every answer
/// (stacking rules, a customer's empty loyalty summary), copied instead of written again.
struct PrewrittenJSON: JSONWritable, Sendable {
  private let bytes: [UInt8]

  init(_ value: some JSONWritable) {
    var json = JSONOutput(capacity: 1024)
    value.writeJSON(to: &json)
    bytes = [UInt8](json.data())
  }

  func writeJSON(to json: inout JSONOutput) {
    bytes.withUnsafeBufferPointer { json.value(prewritten: $0) }
  }
}

extension JSONValue: JSONWritable {
  /// As it was sent: numbers as their literal, members in their order.
  func writeJSON(to json: inout JSONOutput) {
    switch self {
    case .null: json.scalar("null")
    case .bool(let flag): json.scalar(flag ? "true" : "false")
    case .number(let literal): json.number(literal)
    case .string(let text): json.string(text)
    case .array(let elements): json.array(elements)
    case .object(let members):
      json.object { json in
        for member in members { json.field(named: member.key, member.value) }
      }
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
      guard JSONEscape.isNeeded(byte) else { continue }
      if start < index {
        append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
      }
      start = index + 1
      JSONEscape.write(byte) { append($0) }
    }
    if start < utf8.count {
      append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
    }
    append(UInt8(ascii: "\""))
  }
}

/// RFC 8259's string escapes, as `JSONEncoder` writes them (`/` and non-ASCII as they are),
/// for both writers: `JSONOutput` and the streaming encoder's byte array.
enum JSONEscape {
  /// Whether `byte` cannot stand in a JSON string as it is: a control character, `"`, `\`.
  @inline(__always)
  static func isNeeded(_ byte: UInt8) -> Bool {
    byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
  }

  /// Hands `put` the escape of `byte` (one that `isNeeded`), a byte at a time.
  @inline(__always)
  static func write(_ byte: UInt8, _ put: (UInt8) -> Void) {
    put(UInt8(ascii: "\\"))
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"): put(byte)
    case 0x0A: put(UInt8(ascii: "n"))
    case 0x0D: put(UInt8(ascii: "r"))
    case 0x09: put(UInt8(ascii: "t"))
    case 0x08: put(UInt8(ascii: "b"))
    case 0x0C: put(UInt8(ascii: "f"))
    default:
      let hex: StaticString = "0123456789abcdef"
      put(UInt8(ascii: "u"))
      put(UInt8(ascii: "0"))
      put(UInt8(ascii: "0"))
      put(hex.utf8Start[Int(byte >> 4)])
      put(hex.utf8Start[Int(byte & 0xF)])
    }
  }
}
