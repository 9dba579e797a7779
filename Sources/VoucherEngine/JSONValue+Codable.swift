import Foundation

extension JSONValue {
  /// An object with no members: metadata nobody set.
  public static let emptyObject = JSONValue.object([])

  /// An object of string members, in key order (metadata of a file that has only strings).
  public init(strings: [String: String]) {
    self = .object(strings.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
  }

  /// True for an object (what metadata must be).
  public var isObject: Bool {
    if case .object = self { return true }
    return false
  }

  /// The members of an object, or none.
  public var members: [(key: String, value: JSONValue)] {
    if case .object(let members) = self { return members }
    return []
  }

  /// A string's text or a number's literal; nil for anything else (a CSV or XML cell).
  public var scalarText: String? {
    switch self {
    case .string(let text): text
    case .number(let literal): literal
    case .bool(let flag): flag ? "true" : "false"
    default: nil
    }
  }

  /// The compact JSON text (numbers as their literal, members in order).
  public var jsonText: String {
    var out = ""
    write(to: &out)
    return out
  }

  private func write(to out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let flag): out += flag ? "true" : "false"
    case .number(let literal): out += literal
    case .string(let text): JSONText.appendQuoted(text, to: &out)
    case .array(let elements):
      out += "["
      for (index, element) in elements.enumerated() {
        if index > 0 { out += "," }
        element.write(to: &out)
      }
      out += "]"
    case .object(let members):
      out += "{"
      for (index, member) in members.enumerated() {
        if index > 0 { out += "," }
        JSONText.appendQuoted(member.key, to: &out)
        out += ":"
        member.value.write(to: &out)
      }
      out += "}"
    }
  }

  /// A JSON text stored by `jsonText`, or the empty object for an empty column.
  static func stored(_ text: String) throws -> JSONValue {
    if text == "{}" || text.isEmpty { return .emptyObject }
    do {
      return try JSONValue.parse(text)
    } catch {
      throw StoreError.corrupt("unreadable JSON column: \(text.prefix(40))")
    }
  }
}

/// Any JSON through `Codable`: `JSONValueDecoder` hands over the subtree itself; other
/// decoders (Foundation's, in clients) are read value by value. Numbers keep their literal
/// where the coder allows (an integer, then a decimal).
extension JSONValue: Codable {
  private struct MemberKey: CodingKey {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
  }

  public init(from decoder: any Decoder) throws {
    if let object = try? decoder.container(keyedBy: MemberKey.self) {
      var members: [(key: String, value: JSONValue)] = []
      // Foundation's decoder gives keys in no fixed order: sorted, so the value is stable.
      for key in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
        members.append((key.stringValue, try object.decode(JSONValue.self, forKey: key)))
      }
      self = .object(members)
      return
    }
    if var array = try? decoder.unkeyedContainer() {
      var elements: [JSONValue] = []
      while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
      self = .array(elements)
      return
    }
    let single = try decoder.singleValueContainer()
    if single.decodeNil() {
      self = .null
    } else if let flag = try? single.decode(Bool.self) {
      self = .bool(flag)
    } else if let integer = try? single.decode(Int64.self) {
      self = .number(String(integer))
    } else if let decimal = try? single.decode(Decimal.self) {
      self = .number(decimal.description)
    } else if let double = try? single.decode(Double.self), double.isFinite {
      self = .number(String(double))
    } else {
      self = .string(try single.decode(String.self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    switch self {
    case .null:
      var single = encoder.singleValueContainer()
      try single.encodeNil()
    case .bool(let flag):
      var single = encoder.singleValueContainer()
      try single.encode(flag)
    case .number(let literal):
      var single = encoder.singleValueContainer()
      if let integer = Int64(literal) {
        try single.encode(integer)
      } else if let decimal = Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX")) {
        try single.encode(decimal)
      } else {
        try single.encode(Double(literal) ?? 0)
      }
    case .string(let text):
      var single = encoder.singleValueContainer()
      try single.encode(text)
    case .array(let elements):
      var array = encoder.unkeyedContainer()
      for element in elements { try array.encode(element) }
    case .object(let members):
      var object = encoder.container(keyedBy: MemberKey.self)
      for member in members {
        try object.encode(member.value, forKey: MemberKey(stringValue: member.key))
      }
    }
  }
}

/// Literals, for metadata written in code: `["tier": "gold", "visits": 3]`.
extension JSONValue: ExpressibleByDictionaryLiteral, ExpressibleByStringLiteral,
  ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
  public typealias Key = String
  public typealias Value = JSONValue
  public typealias ArrayLiteralElement = JSONValue

  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(elements.map { (key: $0.0, value: $0.1) })
  }

  public init(stringLiteral value: String) { self = .string(value) }

  public init(integerLiteral value: Int64) { self = .number(String(value)) }

  public init(booleanLiteral value: Bool) { self = .bool(value) }

  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}
