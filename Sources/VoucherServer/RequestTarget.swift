/// A request target as sent (`/v1/vouchers/A%2DB?customer=x&status=available`), decoded
/// here rather than by libmicrohttpd, whose decoded values are C strings: `%00` cut them, so
/// `/v1/vouchers/A%00B` was read as `/v1/vouchers/A`.
struct RequestTarget: Sendable {
  /// The decoded path, without the query string.
  var path: String
  /// The decoded query parameters in the order sent. A `+` stays a `+`, as it did when
  /// libmicrohttpd decoded them: a till searching for `+46…` sends it unescaped.
  var query: [(name: String, value: String)]
  /// False when a percent escape is malformed or the decoded bytes are not UTF-8.
  var isValid: Bool

  init(_ target: String) {
    var valid = true
    let bytes = Array(target.utf8)
    let mark = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
    func decode(_ part: ArraySlice<UInt8>) -> String {
      // The common case, nothing escaped, is the bytes themselves.
      if !part.contains(UInt8(ascii: "%")) {
        guard let text = String(validating: part, as: UTF8.self) else {
          valid = false
          return String(decoding: part, as: UTF8.self)
        }
        return text
      }
      var out: [UInt8] = []
      out.reserveCapacity(part.count)
      var index = part.startIndex
      while index < part.endIndex {
        let byte = part[index]
        if byte == UInt8(ascii: "%") {
          if index + 2 < part.endIndex, let high = Self.hex(part[index + 1]),
            let low = Self.hex(part[index + 2])
          {
            out.append(high << 4 | low)
            index += 3
            continue
          }
          valid = false
        }
        out.append(byte)
        index += 1
      }
      guard let text = String(validating: out, as: UTF8.self) else {
        valid = false
        return String(decoding: out, as: UTF8.self)
      }
      return text
    }
    path = decode(bytes[..<mark])
    var query: [(name: String, value: String)] = []
    if mark < bytes.count {
      for pair in bytes[(mark + 1)...].split(separator: UInt8(ascii: "&")) {
        let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
        let name = decode(pair[..<equals])
        let value =
          equals < pair.endIndex ? decode(pair[(equals + 1)...]) : ""
        query.append((name, value))
      }
    }
    self.query = query
    isValid = valid
  }

  /// The first value of `name`, or nil.
  func value(_ name: String) -> String? {
    query.first { $0.name == name }?.value
  }

  private static func hex(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
