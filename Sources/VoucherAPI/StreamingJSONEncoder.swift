import Foundation
import VoucherEngine

/// Writes an `Encodable` value as compact JSON straight into a byte buffer, with keys in the
/// order they are encoded and no intermediate value tree.
///
/// The output means what `JSONEncoder` (default strategies, `.withoutEscapingSlashes`) writes
/// for the same value; only key order and whitespace differ. Strings are escaped per RFC 8259
/// (`"`, `\`, control characters; `/` and non-ASCII are written as they are), `Decimal` is
/// written as its `description`, `Data` as Base64, `URL` as its absolute string, nil as
/// `null`, a nested value that encodes nothing as `{}`; NaN and infinite numbers throw
/// `EncodingError.invalidValue`.
///
/// Values stream while containers are written in nesting order, as synthesized `Codable`
/// does; a container requested again from the same encoder continues the same object or
/// array. A value that breaks that order (writes to a container after its parent moved on,
/// keeps a super encoder for later, encodes one key twice in an object, or throws from a
/// nested value) is encoded again by `JSONEncoder` with sorted keys, whose references handle
/// those cases, so the result never differs in meaning from `JSONEncoder`'s.
public struct StreamingJSONEncoder: Sendable {
  /// An encoder; it keeps no state between calls.
  public init() {}

  /// The JSON text of `value`.
  ///
  /// - Throws: `EncodingError.invalidValue` for a NaN or infinite number, a top-level value
  ///   that encodes nothing, or containers used in a way `JSONEncoder` refuses; any error the
  ///   value's `encode(to:)` throws.
  public func encode<T: Encodable>(_ value: T) throws -> Data {
    let sink = JSONSink()
    do {
      try sink.encodeTopLevel(value)
    } catch {
      // An error caused by abandoning the stream (even one wrapped by the value's own code)
      // is answered by the fallback, which throws again if the value really cannot encode.
      if let misuse = sink.state.pointee.misuse { throw misuse }
      guard sink.state.pointee.abandoned else { throw error }
    }
    if let misuse = sink.state.pointee.misuse { throw misuse }
    if sink.state.pointee.abandoned {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      return try encoder.encode(value)
    }
    return Data(sink.state.pointee.bytes)
  }
}

/// Thrown through the value's `encode(to:)` when the stream cannot continue; the caller then
/// encodes the value again with `JSONEncoder`.
private struct StreamAbandoned: Error {}

/// A `"super"` key, as `JSONEncoder` names a keyed container's default super encoder.
private struct SuperKey: CodingKey {
  var stringValue: String { "super" }
  var intValue: Int? { nil }
  init() {}
  init?(stringValue: String) { nil }
  init?(intValue: Int) { nil }
}

/// One open JSON value in the output: the value of an encoder (a slot), or an object or array
/// a container writes into. Frames form a stack that mirrors the nesting of the text written
/// so far; ids only grow, so they increase from the bottom of the stack to the top.
private struct Frame {
  enum Kind { case empty, scalar, object, array }
  var id: Int
  var kind: Kind
  /// Members (object) or elements (array) written, for commas.
  var count = 0
  /// Where this object's key hashes start in `JSONSink.keyHashes`.
  var keyStart: Int
}

/// The output bytes and the stack of open values. Encoders and containers are small structs
/// holding this sink and the id of their frame; a write to a frame first closes any frame
/// left open above it, and a write to a frame already closed abandons the stream.
private struct JSONWriter {
  var bytes: [UInt8] = []
  var frames: [Frame] = []
  /// The key each frame sits at in its parent (nil for the top level), for coding paths.
  var frameKeys: [(any CodingKey)?] = []
  /// FNV-1a hashes of the keys of the open objects, to notice a key written twice.
  var keyHashes: [UInt64] = []
  var nextID = 0
  /// Set when the value wrote out of nesting order: the output is discarded.
  var abandoned = false
  /// The first use of containers that `JSONEncoder` refuses (it stops the process instead).
  var misuse: EncodingError?

  // MARK: Frames

  mutating func push(_ kind: Frame.Kind, key: (any CodingKey)?) -> Int {
    nextID += 1
    frames.append(Frame(id: nextID, kind: kind, keyStart: keyHashes.count))
    frameKeys.append(key)
    return nextID
  }

  mutating func closeTop() {
    let frame = frames.removeLast()
    frameKeys.removeLast()
    keyHashes.removeSubrange(frame.keyStart...)
    switch frame.kind {
    case .empty: appendASCII("{}")
    case .scalar: break
    case .object: bytes.append(UInt8(ascii: "}"))
    case .array: bytes.append(UInt8(ascii: "]"))
    }
  }

  /// The stack index of frame `id`, or nil when it is closed.
  func index(of id: Int) -> Int? {
    var index = frames.count - 1
    while index >= 0, frames[index].id > id { index -= 1 }
    return index >= 0 && frames[index].id == id ? index : nil
  }

  /// Makes frame `id` the innermost open value, closing what was left open above it; nil
  /// (and the stream abandoned) when the frame is closed already.
  @inline(__always)
  mutating func focus(_ id: Int) -> Int? {
    let last = frames.count - 1
    if last >= 0, frames[last].id == id { return last }
    guard let index = index(of: id) else {
      abandoned = true
      return nil
    }
    while frames.count - 1 > index { closeTop() }
    return index
  }

  func codingPath(to id: Int) -> [any CodingKey] {
    guard let index = index(of: id) else { return [] }
    return frameKeys[...index].compactMap { $0 }
  }

  mutating func recordMisuse(_ message: String, at id: Int) {
    guard misuse == nil else { return }
    misuse = .invalidValue(
      message, EncodingError.Context(codingPath: codingPath(to: id), debugDescription: message))
  }

  // MARK: Starting values

  /// The object of slot `id`, opened on first request and continued on later ones (as
  /// `JSONEncoder` merges them); the id of the frame a keyed container writes to.
  mutating func openObject(slot id: Int) -> Int { open(slot: id, as: .object) }

  /// The array of slot `id`, like `openObject(slot:)`.
  mutating func openArray(slot id: Int) -> Int { open(slot: id, as: .array) }

  private mutating func open(slot id: Int, as kind: Frame.Kind) -> Int {
    guard let index = index(of: id) else {
      abandoned = true
      return -1
    }
    let found = frames[index].kind
    if found == kind { return id }
    guard found == .empty else {
      // JSONEncoder's own words for the same misuse.
      let container = kind == .object ? "keyed" : "unkeyed"
      recordMisuse(
        "Attempt to push new \(container) encoding container when already previously encoded "
          + "at this path.", at: id)
      return -1
    }
    guard focus(id) != nil else { return -1 }
    frames[frames.count - 1].kind = kind
    bytes.append(UInt8(ascii: kind == .object ? "{" : "["))
    return id
  }

  /// Starts the single value of slot `id`.
  mutating func beginScalar(slot id: Int) throws {
    guard let index = focus(id) else { throw StreamAbandoned() }
    guard frames[index].kind == .empty else {
      recordMisuse(
        "Attempt to encode value through single value container when previously value already "
          + "encoded.", at: id)
      throw misuse!
    }
    frames[index].kind = .scalar
  }

  /// Writes `,"key":` into object frame `id`; a key the object already has abandons the
  /// stream (`JSONEncoder` keeps the last value, a stream cannot take back the first).
  mutating func beginMember(_ id: Int, key: String) throws {
    guard let index = focus(id) else { throw StreamAbandoned() }
    if frames[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
    frames[index].count += 1
    var key = key
    let hash = key.withUTF8 { utf8 in
      var hash: UInt64 = 0xcbf2_9ce4_8422_2325
      for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
      appendQuoted(utf8)
      return hash
    }
    bytes.append(UInt8(ascii: ":"))
    if keyHashes[frames[index].keyStart...].contains(hash) {
      abandoned = true
      throw StreamAbandoned()
    }
    keyHashes.append(hash)
  }

  /// Writes the comma before a new element of array frame `id`; the element's index.
  mutating func beginElement(_ id: Int) throws -> Int {
    guard let index = focus(id) else { throw StreamAbandoned() }
    let count = frames[index].count
    if count > 0 { bytes.append(UInt8(ascii: ",")) }
    frames[index].count = count + 1
    return count
  }

  /// A new object as the value just begun (nested keyed container); its frame id.
  mutating func pushObject(key: any CodingKey) -> Int {
    bytes.append(UInt8(ascii: "{"))
    return push(.object, key: key)
  }

  /// A new array as the value just begun (nested unkeyed container); its frame id.
  mutating func pushArray(key: any CodingKey) -> Int {
    bytes.append(UInt8(ascii: "["))
    return push(.array, key: key)
  }

  // MARK: Text

  mutating func appendASCII(_ text: StaticString) { bytes.appendJSONLiteral(text) }

  mutating func appendASCII(_ text: String) {
    bytes.append(contentsOf: text.utf8)
  }

  mutating func appendBool(_ value: Bool) { appendASCII(value ? "true" : "false") }

  mutating func appendInteger<T: FixedWidthInteger>(_ value: T) { bytes.appendJSONInteger(value) }

  /// Throws for NaN and infinity, which JSON cannot hold; called before anything of the
  /// member is written, so a caught error leaves no key without a value.
  func checkFinite<T: BinaryFloatingPoint>(_ value: T, path: @autoclosure () -> [any CodingKey])
    throws
  {
    guard !value.isFinite else { return }
    throw EncodingError.invalidValue(
      value,
      EncodingError.Context(
        codingPath: path(),
        debugDescription: "Unable to encode \(T.self).\(value) directly in JSON."))
  }

  /// A finite number as `JSONEncoder` writes it: its `description` without a trailing `.0`.
  mutating func appendFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ value: T)
  {
    var text = value.description
    if text.hasSuffix(".0") { text.removeLast(2) }
    appendASCII(text)
  }

  mutating func appendString(_ value: String) { bytes.appendJSONString(value) }

  mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) { bytes.appendJSONQuoted(utf8) }
}

/// The sink encoders and containers share: the writer, and the recursion into nested values.
/// The writer sits behind a pointer so that its many small writes are not each checked for
/// exclusive access at run time, as a class's stored properties would be.
private final class JSONSink {
  let state: UnsafeMutablePointer<JSONWriter>

  init() {
    state = .allocate(capacity: 1)
    state.initialize(to: JSONWriter())
    state.pointee.bytes.reserveCapacity(1024)
  }

  deinit {
    state.deinitialize(count: 1)
    state.deallocate()
  }

  func encodeTopLevel<T: Encodable>(_ value: T) throws {
    let root = state.pointee.push(.empty, key: nil)
    try writeValue(value, slot: root)
    guard state.pointee.frames.first?.kind != .empty else {
      throw EncodingError.invalidValue(
        value,
        EncodingError.Context(
          codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
    }
    while !state.pointee.frames.isEmpty { state.pointee.closeTop() }
  }

  // MARK: Values

  /// Encodes `value` as the value just begun (after a key or comma), in a slot of its own.
  func writeChild<T: Encodable>(_ value: T, key: any CodingKey) throws {
    if try writeSpecial(
      value,
      path: {
        self.state.pointee.codingPath(to: self.state.pointee.frames.last?.id ?? 0) + [key]
      })
    {
      return
    }
    let slot = state.pointee.push(.empty, key: key)
    do {
      try value.encode(to: StreamingEncoder(sink: self, slot: slot))
    } catch {
      // What the value wrote before failing cannot be taken back; if its error is caught and
      // encoding goes on, only `JSONEncoder` can leave the member out as it does.
      state.pointee.abandoned = true
      throw error
    }
    if let index = state.pointee.index(of: slot) {
      while state.pointee.frames.count > index { state.pointee.closeTop() }
    }
  }

  /// Encodes `value` into slot `id` itself (a single value container's generic value).
  func writeValue<T: Encodable>(_ value: T, slot id: Int) throws {
    guard let index = state.pointee.focus(id) else { throw StreamAbandoned() }
    guard state.pointee.frames[index].kind == .empty else {
      try state.pointee.beginScalar(slot: id)
      return
    }
    if try writeSpecial(value, path: { self.state.pointee.codingPath(to: id) }) {
      state.pointee.frames[index].kind = .scalar
      return
    }
    try value.encode(to: StreamingEncoder(sink: self, slot: id))
  }

  /// Writes the types `JSONEncoder` writes itself rather than through their `encode(to:)`;
  /// false for any other type.
  @inline(__always)
  func writeSpecial<T: Encodable>(_ value: T, path: () -> [any CodingKey]) throws -> Bool {
    if T.self == Decimal.self, let decimal = value as? Decimal {
      guard !decimal.isNaN else {
        throw EncodingError.invalidValue(
          decimal,
          EncodingError.Context(
            codingPath: path(), debugDescription: "Unable to encode Decimal.nan in JSON."))
      }
      state.pointee.appendASCII(decimal.description)
      return true
    }
    if T.self == URL.self, let url = value as? URL {
      state.pointee.appendString(url.absoluteString)
      return true
    }
    if T.self == Data.self, let data = value as? Data {
      state.pointee.appendString(data.base64EncodedString())
      return true
    }
    return false
  }
}

/// The encoder of one value: the slot frame its containers open.
private struct StreamingEncoder: Encoder {
  let sink: JSONSink
  let slot: Int

  var codingPath: [any CodingKey] { sink.state.pointee.codingPath(to: slot) }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    KeyedEncodingContainer(
      KeyedContainer<Key>(sink: sink, frame: sink.state.pointee.openObject(slot: slot)))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    UnkeyedContainer(sink: sink, frame: sink.state.pointee.openArray(slot: slot))
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    SingleValueContainer(sink: sink, slot: slot)
  }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let sink: JSONSink
  let frame: Int

  var codingPath: [any CodingKey] { sink.state.pointee.codingPath(to: frame) }

  mutating func encodeNil(forKey key: Key) throws {
    try sink.state.pointee.beginMember(frame, key: key.stringValue)
    sink.state.pointee.appendASCII("null")
  }

  mutating func encode(_ value: Bool, forKey key: Key) throws {
    try sink.state.pointee.beginMember(frame, key: key.stringValue)
    sink.state.pointee.appendBool(value)
  }

  mutating func encode(_ value: String, forKey key: Key) throws {
    try sink.state.pointee.beginMember(frame, key: key.stringValue)
    sink.state.pointee.appendString(value)
  }

  mutating func encode(_ value: Double, forKey key: Key) throws {
    try encodeFloatingPoint(value, forKey: key)
  }

  mutating func encode(_ value: Float, forKey key: Key) throws {
    try encodeFloatingPoint(value, forKey: key)
  }

  private mutating func encodeFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(
    _ value: T, forKey key: Key
  ) throws {
    try sink.state.pointee.checkFinite(value, path: codingPath + [key])
    try sink.state.pointee.beginMember(frame, key: key.stringValue)
    sink.state.pointee.appendFloatingPoint(value)
  }

  mutating func encode(_ value: Int, forKey key: Key) throws { try integer(value, key) }
  mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(value, key) }
  mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(value, key) }
  mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(value, key) }
  mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
  mutating func encode(_ value: UInt, forKey key: Key) throws { try integer(value, key) }
  mutating func encode(_ value: UInt8, forKey key: Key) throws { try integer(value, key) }
  mutating func encode(_ value: UInt16, forKey key: Key) throws { try integer(value, key) }
  mutating func encode(_ value: UInt32, forKey key: Key) throws { try integer(value, key) }
  mutating func encode(_ value: UInt64, forKey key: Key) throws { try integer(value, key) }

  private func integer<T: FixedWidthInteger>(_ value: T, _ key: Key) throws {
    try sink.state.pointee.beginMember(frame, key: key.stringValue)
    sink.state.pointee.appendInteger(value)
  }

  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
    try sink.state.pointee.beginMember(frame, key: key.stringValue)
    try sink.writeChild(value, key: key)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    let nested =
      (try? sink.state.pointee.beginMember(frame, key: key.stringValue)) == nil
      ? -1 : sink.state.pointee.pushObject(key: key)
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(sink: sink, frame: nested))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    let nested =
      (try? sink.state.pointee.beginMember(frame, key: key.stringValue)) == nil
      ? -1 : sink.state.pointee.pushArray(key: key)
    return UnkeyedContainer(sink: sink, frame: nested)
  }

  mutating func superEncoder() -> any Encoder { superEncoder(at: SuperKey()) }

  mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(at: key) }

  /// An encoder whose value is written at `key` now; it is closed (as `{}` when nothing was
  /// encoded) when this object is next written to or ends.
  private func superEncoder(at key: any CodingKey) -> any Encoder {
    guard (try? sink.state.pointee.beginMember(frame, key: key.stringValue)) != nil else {
      return StreamingEncoder(sink: sink, slot: -1)
    }
    return StreamingEncoder(sink: sink, slot: sink.state.pointee.push(.empty, key: key))
  }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
  let sink: JSONSink
  let frame: Int

  var codingPath: [any CodingKey] { sink.state.pointee.codingPath(to: frame) }

  var count: Int {
    sink.state.pointee.index(of: frame).map { sink.state.pointee.frames[$0].count } ?? 0
  }

  mutating func encodeNil() throws {
    _ = try sink.state.pointee.beginElement(frame)
    sink.state.pointee.appendASCII("null")
  }

  mutating func encode(_ value: Bool) throws {
    _ = try sink.state.pointee.beginElement(frame)
    sink.state.pointee.appendBool(value)
  }

  mutating func encode(_ value: String) throws {
    _ = try sink.state.pointee.beginElement(frame)
    sink.state.pointee.appendString(value)
  }

  mutating func encode(_ value: Double) throws { try encodeFloatingPoint(value) }
  mutating func encode(_ value: Float) throws { try encodeFloatingPoint(value) }

  private mutating func encodeFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(
    _ value: T
  ) throws {
    try sink.state.pointee.checkFinite(value, path: codingPath + [ArrayIndexKey(count)])
    _ = try sink.state.pointee.beginElement(frame)
    sink.state.pointee.appendFloatingPoint(value)
  }

  mutating func encode(_ value: Int) throws { try integer(value) }
  mutating func encode(_ value: Int8) throws { try integer(value) }
  mutating func encode(_ value: Int16) throws { try integer(value) }
  mutating func encode(_ value: Int32) throws { try integer(value) }
  mutating func encode(_ value: Int64) throws { try integer(value) }
  mutating func encode(_ value: UInt) throws { try integer(value) }
  mutating func encode(_ value: UInt8) throws { try integer(value) }
  mutating func encode(_ value: UInt16) throws { try integer(value) }
  mutating func encode(_ value: UInt32) throws { try integer(value) }
  mutating func encode(_ value: UInt64) throws { try integer(value) }

  private func integer<T: FixedWidthInteger>(_ value: T) throws {
    _ = try sink.state.pointee.beginElement(frame)
    sink.state.pointee.appendInteger(value)
  }

  mutating func encode<T: Encodable>(_ value: T) throws {
    let index = try sink.state.pointee.beginElement(frame)
    try sink.writeChild(value, key: ArrayIndexKey(index))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    let nested =
      (try? sink.state.pointee.beginElement(frame)).map {
        sink.state.pointee.pushObject(key: ArrayIndexKey($0))
      } ?? -1
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(sink: sink, frame: nested))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let nested =
      (try? sink.state.pointee.beginElement(frame)).map {
        sink.state.pointee.pushArray(key: ArrayIndexKey($0))
      } ?? -1
    return UnkeyedContainer(sink: sink, frame: nested)
  }

  mutating func superEncoder() -> any Encoder {
    let slot =
      (try? sink.state.pointee.beginElement(frame)).map {
        sink.state.pointee.push(.empty, key: ArrayIndexKey($0))
      } ?? -1
    return StreamingEncoder(sink: sink, slot: slot)
  }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
  let sink: JSONSink
  let slot: Int

  var codingPath: [any CodingKey] { sink.state.pointee.codingPath(to: slot) }

  mutating func encodeNil() throws {
    try sink.state.pointee.beginScalar(slot: slot)
    sink.state.pointee.appendASCII("null")
  }

  mutating func encode(_ value: Bool) throws {
    try sink.state.pointee.beginScalar(slot: slot)
    sink.state.pointee.appendBool(value)
  }

  mutating func encode(_ value: String) throws {
    try sink.state.pointee.beginScalar(slot: slot)
    sink.state.pointee.appendString(value)
  }

  mutating func encode(_ value: Double) throws { try encodeFloatingPoint(value) }
  mutating func encode(_ value: Float) throws { try encodeFloatingPoint(value) }

  private mutating func encodeFloatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(
    _ value: T
  ) throws {
    try sink.state.pointee.checkFinite(value, path: codingPath)
    try sink.state.pointee.beginScalar(slot: slot)
    sink.state.pointee.appendFloatingPoint(value)
  }

  mutating func encode(_ value: Int) throws { try integer(value) }
  mutating func encode(_ value: Int8) throws { try integer(value) }
  mutating func encode(_ value: Int16) throws { try integer(value) }
  mutating func encode(_ value: Int32) throws { try integer(value) }
  mutating func encode(_ value: Int64) throws { try integer(value) }
  mutating func encode(_ value: UInt) throws { try integer(value) }
  mutating func encode(_ value: UInt8) throws { try integer(value) }
  mutating func encode(_ value: UInt16) throws { try integer(value) }
  mutating func encode(_ value: UInt32) throws { try integer(value) }
  mutating func encode(_ value: UInt64) throws { try integer(value) }

  private func integer<T: FixedWidthInteger>(_ value: T) throws {
    try sink.state.pointee.beginScalar(slot: slot)
    sink.state.pointee.appendInteger(value)
  }

  mutating func encode<T: Encodable>(_ value: T) throws {
    try sink.writeValue(value, slot: slot)
  }
}
