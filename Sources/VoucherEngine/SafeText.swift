/// Text at the edges: which characters a stored value may hold, which characters a voucher
/// code may hold, and how text that came from outside is printed.
///
/// SQLite and C strings end at U+0000, so a value holding one is stored cut short while the
/// answer echoes it whole (two orders `sale\0A` and `sale\0B` became one). Escape sequences
/// stored in a name rewrite the terminal of whoever prints it, and CR or LF in a logged path
/// forges log lines. So every entry point refuses control characters, and everything that
/// prints outside text makes them visible.
public enum SafeText {
  /// The characters a voucher code may hold once trimmed and upper-cased: `A`–`Z`, `0`–`9`,
  /// `-`, `_` and `.`. A `/` would make the code unreachable as a path segment; anything
  /// else is not on a printed voucher or a scanner's keyboard.
  public static let codeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."

  /// True for the scalars no stored text may hold: C0 controls (U+0000–U+001F), DEL, and C1
  /// controls (U+0080–U+009F, where U+009B starts a terminal escape sequence as ESC [ does).
  public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
  }

  /// The first control character of `text`, or nil. `allowingLineBreaks` lets LF, CR and
  /// tab through, for the fields documented to hold several lines (metadata values, reasons).
  public static func firstControl(in text: String, allowingLineBreaks: Bool = false)
    -> Unicode.Scalar?
  {
    // Bytes first: text is almost always clean ASCII and this is on every request's path.
    var clean = true
    for byte in text.utf8 where byte < 0x20 || byte == 0x7F || byte == 0xC2 {
      clean = false
      break
    }
    if clean { return nil }
    return text.unicodeScalars.first { scalar in
      isControl(scalar)
        && !(allowingLineBreaks && (scalar == "\n" || scalar == "\r" || scalar == "\t"))
    }
  }

  /// Refuses `text` when it holds a control character, naming `field`.
  ///
  /// - Throws: `Refusal` with `.invalidPayload` ("name holds a control character (U+001B)").
  public static func check(
    _ text: String?, field: @autoclosure () -> String, allowingLineBreaks: Bool = false
  ) throws {
    guard let text, let scalar = firstControl(in: text, allowingLineBreaks: allowingLineBreaks)
    else { return }
    throw Refusal(code: nil, reason: .invalidPayload(controlMessage(field: field(), scalar)))
  }

  /// Checks every key and value of a metadata object; values may hold line breaks.
  ///
  /// - Throws: `Refusal` naming `field.key` when a value (or `field` when a key) holds a
  ///   control character.
  public static func check(metadata: [String: String]?, field: String = "metadata") throws {
    guard let metadata else { return }
    for (key, value) in metadata {
      try check(key, field: "\(field) key \(visible(key, limit: 40))")
      try check(value, field: "\(field).\(visible(key, limit: 40))", allowingLineBreaks: true)
    }
  }

  /// Checks every member name and string of metadata that may be any JSON; strings may hold
  /// line breaks.
  ///
  /// - Throws: `Refusal` naming the member (`metadata.note`, `metadata.tags[2]`).
  public static func check(metadata: JSONValue?, field: String = "metadata") throws {
    guard let metadata else { return }
    switch metadata {
    case .string(let text):
      try check(text, field: field, allowingLineBreaks: true)
    case .array(let elements):
      for (index, element) in elements.enumerated() {
        try check(metadata: element, field: "\(field)[\(index)]")
      }
    case .object(let members):
      for (key, value) in members {
        try check(key, field: "\(field) key \(visible(key, limit: 40))")
        try check(metadata: value, field: "\(field).\(visible(key, limit: 40))")
      }
    case .null, .bool, .number:
      return
    }
  }

  /// The sentence a refusal says: the field and the character, as U+XXXX.
  public static func controlMessage(field: String, _ scalar: Unicode.Scalar) -> String {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    return
      "\(field) holds a control character (U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex)), which is not allowed"
  }

  /// Refuses a code (already trimmed and upper-cased) that is empty, longer than 100
  /// characters, or holds a character outside `codeAlphabet`.
  ///
  /// - Throws: `Refusal` with `.invalidPayload` naming the first character refused.
  public static func checkCode(_ code: String, given: String? = nil) throws {
    guard !code.isEmpty, code.utf8.count <= 100 else {
      throw Refusal(
        code: given ?? code, reason: .invalidPayload("a code must be 1–100 characters"))
    }
    if let bad = code.unicodeScalars.first(where: { !isCodeScalar($0) }) {
      let text =
        isControl(bad)
        ? controlMessage(field: "the code", bad)
        : "a code may hold only A–Z, 0–9, - _ and . (not “\(bad)”)"
      throw Refusal(code: visible(given ?? code, limit: 100), reason: .invalidPayload(text))
    }
  }

  /// True when `scalar` may appear in a code (after upper-casing).
  public static func isCodeScalar(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x41...0x5A, 0x30...0x39: true
    case 0x2D, 0x5F, 0x2E: true
    default: false
    }
  }

  /// `text` with every control character made visible (`\x1b`, `\n`, `\r`, `\t`, `\x7f`,
  /// `\u{9b}`), as are the characters that reorder or break lines on a terminal (U+2028,
  /// U+2029, the bidirectional overrides). `limit` bounds the result's length in
  /// characters; a longer text ends in `…(N more)`.
  ///
  /// This is the one helper for printing outside text: logs, the command line's tables,
  /// and the till's screens.
  public static func visible(_ text: String, limit: Int? = nil) -> String {
    var needsWork = false
    for byte in text.utf8 where byte < 0x20 || byte >= 0x7F {
      needsWork = true
      break
    }
    if !needsWork, limit.map({ text.utf8.count <= $0 }) ?? true { return text }
    var result = ""
    var count = 0
    var scalars = text.unicodeScalars.makeIterator()
    while let scalar = scalars.next() {
      if let limit, count >= limit {
        var rest = 1
        while scalars.next() != nil { rest += 1 }
        result += "…(\(rest) more)"
        break
      }
      result += escaped(scalar)
      count += 1
    }
    return result
  }

  private static func escaped(_ scalar: Unicode.Scalar) -> String {
    switch scalar.value {
    case 0x0A: return "\\n"
    case 0x0D: return "\\r"
    case 0x09: return "\\t"
    case 0..<0x20, 0x7F:
      let hex = String(scalar.value, radix: 16)
      return "\\x" + (hex.count == 1 ? "0" + hex : hex)
    case 0x80...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F:
      return "\\u{" + String(scalar.value, radix: 16) + "}"
    default:
      return String(scalar)
    }
  }
}
