import Foundation

/// A parsed JSON document, kept close to its text: numbers stay the literal they were
/// written as (so an amount is read as an exact integer, a percentage as an exact decimal)
/// and object members keep their order.
///
/// The REST server parses each request body once into this tree; its unknown-field check and
/// `JSONValueDecoder` both read the tree, where Foundation's `JSONSerialization` plus
/// `JSONDecoder` parsed every body twice and dominated the server's profile. The demo
/// catalog is read the same way (`JSONDecoder`'s one-time setup was 2 ms of the till's
/// start).
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// The number's literal, already checked against RFC 8259's grammar.
  case number(String)
  case string(String)
  case array([JSONValue])
  /// Members in document order; names are unique (the parser refuses duplicates).
  case object([(key: String, value: JSONValue)])

  public static func == (left: JSONValue, right: JSONValue) -> Bool {
    switch (left, right) {
    case (.null, .null): true
    case (.bool(let a), .bool(let b)): a == b
    case (.number(let a), .number(let b)): a == b
    case (.string(let a), .string(let b)): a == b
    case (.array(let a), .array(let b)): a == b
    case (.object(let a), .object(let b)):
      a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: false
    }
  }

  /// The member named `key` of an object; nil for a missing member or a non-object.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// Parses one JSON text (RFC 8259): a value with optional whitespace around it.
  ///
  /// - Throws: `JSONParseError` for anything else: bad syntax, invalid UTF-8, a lone
  ///   surrogate escape, a duplicate member name, or nesting deeper than `maximumDepth`.
  public static func parse(_ data: Data, maximumDepth: Int = 64) throws(JSONParseError) -> JSONValue
  {
    let result: Result<JSONValue, JSONParseError> = data.withUnsafeBytes { raw in
      parse(raw.bindMemory(to: UInt8.self), maximumDepth: maximumDepth)
    }
    return try result.get()
  }

  /// Parses as `parse(_:maximumDepth:)` does, and tells whether any string or member name
  /// may hold a control character (U+0000–U+001F, U+007F–U+009F, escaped or not): false
  /// means none does, so a caller that refuses them need not walk the tree to look (the
  /// parser sees every byte anyway). True is conservative: it is also set by a byte 0xC2 that
  /// begins a Latin-1 letter.
  public static func parse(
    _ data: Data, maximumDepth: Int = 64, mayHoldControl: inout Bool
  ) throws(JSONParseError) -> JSONValue {
    let result: Result<(JSONValue, Bool), JSONParseError> = data.withUnsafeBytes { raw in
      parseNotingControls(raw.bindMemory(to: UInt8.self), maximumDepth: maximumDepth)
    }
    let (value, controls) = try result.get()
    mayHoldControl = controls
    return value
  }

  /// Parses JSON text held in a `String` (a JSON column), as `parse(Data(text.utf8))` does,
  /// without copying the text into a `Data` first: that copy and its release cost about
  /// 2,000 instructions per column read.
  public static func parse(_ text: String, maximumDepth: Int = 64) throws(JSONParseError)
    -> JSONValue
  {
    var text = text
    let result = text.withUTF8 { parse($0, maximumDepth: maximumDepth) }
    return try result.get()
  }

  private static func parse(
    _ bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int
  ) -> Result<JSONValue, JSONParseError> {
    parseNotingControls(bytes, maximumDepth: maximumDepth).map(\.0)
  }

  private static func parseNotingControls(
    _ bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int
  ) -> Result<(JSONValue, Bool), JSONParseError> {
    var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
    do throws(JSONParseError) {
      parser.skipWhitespace()
      let value = try parser.value(depth: 0)
      parser.skipWhitespace()
      guard parser.atEnd else { throw parser.error("text after the JSON value") }
      return .success((value, parser.mayHoldControl))
    } catch {
      return .failure(error)
    }
  }
}

/// Why a body is not JSON, and the byte offset where that was noticed.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
  public let reason: String
  public let offset: Int

  public var description: String { "\(reason) at byte \(offset)" }
}

/// A recursive-descent parser over the body's bytes. Depth is bounded so a hostile body
/// cannot exhaust a server thread's stack.
private struct JSONParser {
  let bytes: UnsafeBufferPointer<UInt8>
  let maximumDepth: Int
  var index = 0
  /// Set by anything in a string that is or may begin a control character: DEL, a byte
  /// 0xC2 (U+0080–U+009F are 0xC2 0x80–0x9F), or an escape of one (`\n`, `\u0000`, …).
  /// Raw bytes below 0x20 are refused outright, as JSON requires.
  var mayHoldControl = false

  init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
    self.bytes = bytes
    self.maximumDepth = maximumDepth
  }

  var atEnd: Bool { index >= bytes.count }

  func error(_ reason: String) -> JSONParseError {
    JSONParseError(reason: reason, offset: index)
  }

  mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D: index += 1
      default: return
      }
    }
  }

  mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
    guard index < bytes.count else { throw error("unexpected end of the body") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try object(depth: depth + 1)
    case UInt8(ascii: "["): return try array(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
    default: throw error("unexpected character")
    }
  }

  private mutating func literal(_ word: StaticString) throws(JSONParseError) {
    let count = word.utf8CodeUnitCount
    guard index + count <= bytes.count,
      memcmp(bytes.baseAddress! + index, word.utf8Start, count) == 0
    else { throw error("unexpected word") }
    index += count
  }

  private mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
    guard depth <= maximumDepth else { throw error("nested too deeply") }
    index += 1
    var members: [(key: String, value: JSONValue)] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    // Room for a request's usual objects at once, rather than regrowing from one member.
    members.reserveCapacity(4)
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
        throw error("expected a member name")
      }
      let key = try string()
      // Two members of one name are ambiguous (parsers disagree on which wins), so the
      // body is refused rather than guessed at.
      guard !members.contains(where: { $0.key == key }) else {
        throw error("duplicate member “\(key)”")
      }
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
        throw error("expected “:”")
      }
      index += 1
      skipWhitespace()
      members.append((key, try value(depth: depth)))
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of the body") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
      } else if bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      } else {
        throw error("expected “,” or “}”")
      }
    }
  }

  private mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
    guard depth <= maximumDepth else { throw error("nested too deeply") }
    index += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return .array(elements)
    }
    elements.reserveCapacity(4)
    while true {
      skipWhitespace()
      elements.append(try value(depth: depth))
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of the body") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
      } else if bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(elements)
      } else {
        throw error("expected “,” or “]”")
      }
    }
  }

  /// A number literal per RFC 8259: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
  private mutating func number() throws(JSONParseError) -> String {
    let start = index
    if bytes[index] == UInt8(ascii: "-") { index += 1 }
    guard index < bytes.count, isDigit(bytes[index]) else { throw error("bad number") }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
    } else {
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard index < bytes.count, isDigit(bytes[index]) else { throw error("bad number") }
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
      {
        index += 1
      }
      guard index < bytes.count, isDigit(bytes[index]) else { throw error("bad number") }
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }
    // ASCII by construction.
    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
  }

  private func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  /// A string, from its opening quote. A string without escapes (nearly every one) becomes
  /// a `String` straight from the body's bytes: ASCII needs no validation beyond the scan,
  /// other text is validated as UTF-8 in one call. Validating every string through the
  /// generic `String(validating:)` on a slice was most of a request body's parse.
  private mutating func string() throws(JSONParseError) -> String {
    index += 1
    let start = index
    var union: UInt8 = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") {
        let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
        let text = union < 0x80 ? String(decoding: run, as: UTF8.self) : try validated(run)
        index += 1
        return text
      }
      if byte < 0x20 { throw error("control character in a string") }
      if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
      if byte == 0x7F || byte == 0xC2 { mayHoldControl = true }
      union |= byte
      index += 1
    }
    throw error("unterminated string")
  }

  /// The rest of a string that has an escape at `index`, its text so far starting at
  /// `start`. Runs between escapes are copied as they are; escapes are decoded, surrogate
  /// pairs joined, lone surrogates refused.
  private mutating func escapedString(from start: Int) throws(JSONParseError) -> String {
    var decoded: [UInt8] = []
    var runStart = start
    while true {
      guard index < bytes.count else { throw error("unterminated string") }
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") {
        decoded.append(contentsOf: bytes[runStart..<index])
        index += 1
        return try decoded.withUnsafeBufferPointer { utf8 throws(JSONParseError) in
          try validated(utf8)
        }
      }
      if byte < 0x20 { throw error("control character in a string") }
      if byte == UInt8(ascii: "\\") {
        decoded.append(contentsOf: bytes[runStart..<index])
        try escape(into: &decoded)
        runStart = index
        continue
      }
      if byte == 0x7F || byte == 0xC2 { mayHoldControl = true }
      index += 1
    }
  }

  private func validated(_ utf8: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> String {
    guard let text = String(validating: utf8, as: UTF8.self) else {
      throw error("invalid UTF-8 in a string")
    }
    return text
  }

  private mutating func escape(into output: inout [UInt8]) throws(JSONParseError) {
    index += 1
    guard index < bytes.count else { throw error("unterminated string") }
    let byte = bytes[index]
    index += 1
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
    case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"),
      UInt8(ascii: "t"):
      mayHoldControl = true
      switch byte {
      case UInt8(ascii: "b"): output.append(0x08)
      case UInt8(ascii: "f"): output.append(0x0C)
      case UInt8(ascii: "n"): output.append(0x0A)
      case UInt8(ascii: "r"): output.append(0x0D)
      default: output.append(0x09)
      }
    case UInt8(ascii: "u"):
      var scalar = UInt32(try hexQuad())
      if (0xD800...0xDBFF).contains(scalar) {
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
          bytes[index + 1] == UInt8(ascii: "u")
        else { throw error("lone surrogate escape") }
        index += 2
        let low = UInt32(try hexQuad())
        guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate escape") }
        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
      } else if (0xDC00...0xDFFF).contains(scalar) {
        throw error("lone surrogate escape")
      }
      if scalar < 0x20 || (0x7F...0x9F).contains(scalar) { mayHoldControl = true }
      output.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
    default:
      throw error("unknown escape")
    }
  }

  private mutating func hexQuad() throws(JSONParseError) -> UInt16 {
    guard index + 4 <= bytes.count else { throw error("short \\u escape") }
    var value: UInt16 = 0
    for _ in 0..<4 {
      let byte = bytes[index]
      let digit: UInt8
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
      default: throw error("bad \\u escape")
      }
      value = value << 4 | UInt16(digit)
      index += 1
    }
    return value
  }
}
