import VoucherEngine

/// The names a request body may carry, as Voucherify's schema defines them plus our
/// documented extensions, and which of them this server refuses as unsupported.
///
/// `normalized` reads a parsed body against a shape: a `null` member means the member is
/// absent (as the official SDKs send every optional field), at any depth except inside
/// `metadata`, which is any JSON and kept as sent. Every name the shape does not know, and
/// every unsupported one that carries a value, is collected, so one answer names them all.
public indirect enum BodyShape: Sendable {
  /// Any value; its content is the decoder's to check.
  case value
  /// Any JSON, kept exactly as sent (metadata).
  case any
  case members(Members)
  case array(BodyShape)
  /// In the schema, but it would change who may redeem, when or how much in a way this
  /// server does not implement: refused when given a value (an empty list is no value).
  case unsupported
  /// A string that is accepted with these values only; another value is unsupported.
  case only(Set<String>)

  /// An object's names and their shapes.
  public static func object(_ fields: [String: BodyShape]) -> BodyShape {
    .members(Members(fields))
  }

  /// The names of an object, looked up by comparing: a name is short, and comparing short
  /// strings costs less than hashing them (this runs for every member of every request).
  public struct Members: Sendable {
    let names: [String]
    let shapes: [BodyShape]

    init(_ fields: [String: BodyShape]) {
      let sorted = fields.sorted { $0.key < $1.key }
      names = sorted.map(\.key)
      shapes = sorted.map(\.value)
    }

    func shape(_ name: String) -> BodyShape? {
      for index in names.indices where names[index] == name { return shapes[index] }
      return nil
    }

    /// The fields again, to derive another shape from this one.
    public var fields: [String: BodyShape] {
      Dictionary(uniqueKeysWithValues: zip(names, shapes))
    }
  }

  /// What a body had that the shape does not allow.
  public struct Findings: Sendable, Equatable {
    /// Dotted paths of names in neither the schema nor our extensions.
    public var unknown: [String] = []
    /// Dotted paths (with the value, for `only`) of unsupported fields given.
    public var unsupported: [String] = []

    public init() {}

    public var isEmpty: Bool { unknown.isEmpty && unsupported.isEmpty }

    /// One sentence naming every finding, unknown names first.
    public var message: String {
      var parts: [String] = []
      if !unknown.isEmpty {
        parts.append((unknown.count == 1 ? "unknown field " : "unknown fields ") + list(unknown))
      }
      if !unsupported.isEmpty {
        parts.append(
          (unsupported.count == 1 ? "unsupported field " : "unsupported fields ")
            + list(unsupported) + ": this server does not implement "
            + (unsupported.count == 1 ? "it" : "them"))
      }
      return parts.joined(separator: "; ")
    }

    private func list(_ names: [String]) -> String { names.joined(separator: ", ") }
  }

  /// `value` with null members removed (outside `any`), and what it had that is not allowed.
  public func normalized(_ value: JSONValue, findings: inout Findings) -> JSONValue {
    var path: [PathPart] = []
    path.reserveCapacity(8)
    return normalizedIfChanged(value, findings: &findings, path: &path) ?? value
  }

  /// A step from the body down to a member: a name, or a position in a list.
  private enum PathPart {
    case key(String)
    case index(Int)
  }

  /// `order.items[0].price`: written only when a finding names it.
  private static func text(_ path: [PathPart]) -> String {
    var out = ""
    for part in path {
      switch part {
      case .key(let key): out += out.isEmpty ? key : "." + key
      case .index(let index): out += "[\(index)]"
      }
    }
    return out
  }

  /// The normalized value, or nil when it is `value` itself: a body with no null and no
  /// unknown member (every till's) is walked without a copy, and a member's path is
  /// written out only when a finding names it.
  private func normalizedIfChanged(
    _ value: JSONValue, findings: inout Findings, path: inout [PathPart]
  ) -> JSONValue? {
    switch (self, value) {
    case (.any, _), (.value, _), (.unsupported, .null), (.only, _):
      if case .only(let allowed) = self, case .string(let text) = value, !allowed.contains(text) {
        findings.unsupported.append(Self.text(path) + "=" + text)
      }
      return nil
    case (.unsupported, .array(let elements)) where elements.isEmpty:
      return .null
    case (.unsupported, _):
      findings.unsupported.append(Self.text(path))
      return nil
    case (.members(let fields), .object(let members)):
      var kept: [(key: String, value: JSONValue)]?
      for (index, member) in members.enumerated() {
        var replacement: JSONValue?
        var drop = member.value == .null
        if !drop {
          if let shape = fields.shape(member.key) {
            switch shape {
            case .value, .any: break
            default:
              path.append(.key(member.key))
              replacement = shape.normalizedIfChanged(
                member.value, findings: &findings, path: &path)
              path.removeLast()
              if replacement == .null { drop = true }
            }
          } else {
            path.append(.key(member.key))
            findings.unknown.append(Self.text(path))
            path.removeLast()
            drop = true
          }
        }
        if drop || replacement != nil, kept == nil { kept = Array(members[..<index]) }
        if !drop, kept != nil { kept!.append((member.key, replacement ?? member.value)) }
      }
      return kept.map { .object($0) }
    case (.array(let element), .array(let elements)):
      var changed: [JSONValue]?
      for (index, item) in elements.enumerated() {
        path.append(.index(index))
        let replacement = element.normalizedIfChanged(item, findings: &findings, path: &path)
        path.removeLast()
        if replacement != nil, changed == nil { changed = Array(elements[..<index]) }
        if changed != nil { changed!.append(replacement ?? item) }
      }
      return changed.map { .array($0) }
    default:
      // A wrong kind of value: the decoder says what was expected.
      return nil
    }
  }
}
