import Foundation

/// Decodes a `Decodable` value from a parsed `JSONValue`, with the errors `JSONDecoder`
/// throws (`DecodingError` with the coding path), so callers describe failures the same way.
///
/// Stricter than `JSONDecoder` where money is concerned: an integer field accepts only an
/// integer literal (`12`, not `12.0` or `1.2e1`), and one out of the type's range is
/// `dataCorrupted`. `Decimal` is read from the literal's text, exactly.
public struct JSONValueDecoder: Sendable {
  public init() {}

  public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
    try ValueDecoder(value: value, parentPath: [], key: nil).decode(type)
  }
}

/// A decoder, and the single-value container, for one node of the tree. Its coding path is
/// put together only when asked for (a container, an error): building an array for every
/// member read was most of the decoder's cost.
private struct ValueDecoder: Decoder, SingleValueDecodingContainer {
  let value: JSONValue
  let parentPath: [any CodingKey]
  let key: (any CodingKey)?
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  init(value: JSONValue, parentPath: [any CodingKey], key: (any CodingKey)?) {
    self.value = value
    self.parentPath = parentPath
    self.key = key
  }

  var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard case .object(let members) = value else {
      throw mismatch([String: Any].self, codingPath)
    }
    return KeyedDecodingContainer(ObjectContainer<Key>(members: members, codingPath: codingPath))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard case .array(let elements) = value else { throw mismatch([Any].self, codingPath) }
    return ArrayContainer(elements: elements, codingPath: codingPath)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

  func decodeNil() -> Bool { value == .null }

  func decode(_ type: Bool.Type) throws -> Bool {
    guard case .bool(let flag) = value else { throw unexpected(type) }
    return flag
  }

  func decode(_ type: String.Type) throws -> String {
    guard case .string(let text) = value else { throw unexpected(type) }
    return text
  }

  func decode(_ type: Double.Type) throws -> Double {
    guard case .number(let literal) = value else { throw unexpected(type) }
    guard let number = Double(literal), number.isFinite else { throw outOfRange(literal, type) }
    return number
  }

  func decode(_ type: Float.Type) throws -> Float {
    guard case .number(let literal) = value else { throw unexpected(type) }
    guard let number = Float(literal), number.isFinite else { throw outOfRange(literal, type) }
    return number
  }

  func decode(_ type: Int.Type) throws -> Int { try integer(type) }
  func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
  func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
  func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
  func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
  func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
  func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
  func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
  func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
  func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

  func decode<T: Decodable>(_ type: T.Type) throws -> T {
    // Decimal's own Decodable reads a keyed form; JSON writes it as a plain number.
    if type == Decimal.self {
      guard case .number(let literal) = value else { throw unexpected(type) }
      guard let decimal = Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX"))
      else { throw outOfRange(literal, type) }
      return decimal as! T
    }
    // Any JSON (metadata): the subtree itself, as it was sent.
    if type == JSONValue.self { return value as! T }
    return try T(from: self)
  }

  private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
    guard case .number(let literal) = value else { throw unexpected(type) }
    guard let number = I(literal) else { throw outOfRange(literal, type) }
    return number
  }

  /// A null where a value is needed is `valueNotFound`, any other kind `typeMismatch`.
  private func unexpected(_ type: Any.Type) -> DecodingError {
    if value == .null {
      return .valueNotFound(
        type, .init(codingPath: codingPath, debugDescription: "Expected \(type) but found null."))
    }
    return mismatch(type, codingPath)
  }

  private func outOfRange(_ literal: String, _ type: Any.Type) -> DecodingError {
    .dataCorrupted(
      .init(
        codingPath: codingPath,
        debugDescription: "Parsed JSON number <\(literal)> does not fit in \(type)."))
  }

  private func mismatch(_ type: Any.Type, _ path: [any CodingKey]) -> DecodingError {
    .typeMismatch(
      type,
      .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(kind)."))
  }

  private var kind: String {
    switch value {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }
}

private struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let members: [(key: String, value: JSONValue)]
  let codingPath: [any CodingKey]

  var allKeys: [Key] { members.compactMap { Key(stringValue: $0.key) } }

  func contains(_ key: Key) -> Bool { lookup(key) != nil }

  private func lookup(_ key: Key) -> JSONValue? {
    let name = key.stringValue
    return members.first { $0.key == name }?.value
  }

  private func child(_ key: Key) throws -> ValueDecoder {
    guard let value = lookup(key) else {
      throw DecodingError.keyNotFound(
        key,
        .init(codingPath: codingPath, debugDescription: "No value for key “\(key.stringValue)”."))
    }
    return ValueDecoder(value: value, parentPath: codingPath, key: key)
  }

  func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }

  func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
    try child(key).decode(type)
  }

  // Optional members are most of a request; the protocol's default would look each one up
  // three times (contains, decodeNil, decode).
  func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
    guard let value = lookup(key), value != .null else { return nil }
    return try ValueDecoder(value: value, parentPath: codingPath, key: key).decode(type)
  }

  func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
    guard let value = lookup(key), value != .null else { return nil }
    if case .string(let text) = value { return text }
    return try ValueDecoder(value: value, parentPath: codingPath, key: key).decode(type)
  }

  func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
    guard let value = lookup(key), value != .null else { return nil }
    return try ValueDecoder(value: value, parentPath: codingPath, key: key).decode(type)
  }

  func decode(_ type: String.Type, forKey key: Key) throws -> String {
    if case .string(let text)? = lookup(key) { return text }
    return try child(key).decode(type)
  }

  func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key)
    throws -> KeyedDecodingContainer<NestedKey>
  {
    try child(key).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try child(key).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder {
    ValueDecoder(value: .object(members), parentPath: codingPath, key: nil)
  }

  func superDecoder(forKey key: Key) throws -> any Decoder {
    ValueDecoder(value: lookup(key) ?? .null, parentPath: codingPath, key: key)
  }
}

private struct ArrayContainer: UnkeyedDecodingContainer {
  let elements: [JSONValue]
  let codingPath: [any CodingKey]
  var currentIndex = 0

  init(elements: [JSONValue], codingPath: [any CodingKey]) {
    self.elements = elements
    self.codingPath = codingPath
  }

  var count: Int? { elements.count }
  var isAtEnd: Bool { currentIndex >= elements.count }

  private mutating func next(_ type: Any.Type) throws -> ValueDecoder {
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(
        type,
        .init(
          codingPath: codingPath + [ArrayIndexKey(currentIndex)],
          debugDescription: "Unkeyed container is at end."))
    }
    defer { currentIndex += 1 }
    return ValueDecoder(
      value: elements[currentIndex], parentPath: codingPath, key: ArrayIndexKey(currentIndex))
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd, elements[currentIndex] == .null else { return false }
    currentIndex += 1
    return true
  }

  mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).decode(type) }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
    -> KeyedDecodingContainer<NestedKey>
  {
    try next([String: Any].self).container(keyedBy: type)
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    try next([Any].self).unkeyedContainer()
  }

  mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
}

/// An array index as a coding key, for coding paths (this decoder's and the REST server's
/// streaming encoder's).
public struct ArrayIndexKey: CodingKey, Sendable {
  public let intValue: Int?
  public var stringValue: String { "Index \(intValue ?? 0)" }
  public init(_ index: Int) { intValue = index }
  public init?(stringValue: String) { nil }
  public init?(intValue: Int) { self.intValue = intValue }
}
