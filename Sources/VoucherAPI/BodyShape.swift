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
  case object([String: BodyShape])
  case array(BodyShape)
  /// In the schema, but it would change who may redeem, when or how much in a way this
  /// server does not implement: refused when given a value (an empty list is no value).
  case unsupported
  /// A string that is accepted with these values only; another value is unsupported.
  case only(Set<String>)

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
  public func normalized(_ value: JSONValue, findings: inout Findings, path: String = "")
    -> JSONValue
  {
    switch (self, value) {
    case (.any, _), (.value, _):
      return value
    case (.unsupported, .null):
      return value
    case (.unsupported, .array(let elements)) where elements.isEmpty:
      return .null
    case (.unsupported, _):
      findings.unsupported.append(path)
      return value
    case (.only(let allowed), .string(let text)):
      if !allowed.contains(text) { findings.unsupported.append("\(path)=\(text)") }
      return value
    case (.only, _):
      return value
    case (.object(let fields), .object(let members)):
      var kept: [(key: String, value: JSONValue)] = []
      kept.reserveCapacity(members.count)
      for member in members {
        if member.value == .null { continue }
        let name = path.isEmpty ? member.key : path + "." + member.key
        guard let shape = fields[member.key] else {
          findings.unknown.append(name)
          continue
        }
        let normalized = shape.normalized(member.value, findings: &findings, path: name)
        if normalized != .null { kept.append((member.key, normalized)) }
      }
      return .object(kept)
    case (.array(let element), .array(let elements)):
      return .array(
        elements.enumerated().map { index, item in
          element.normalized(item, findings: &findings, path: "\(path)[\(index)]")
        })
    default:
      // A wrong kind of value: the decoder says what was expected.
      return value
    }
  }
}
