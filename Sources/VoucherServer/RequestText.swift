import VoucherAPI
import VoucherEngine

/// The text of a request checked at the edge, before any handler reads it: every string and
/// member name of a JSON body, the path and every query parameter. A control character is
/// refused with 400 naming where it was, so nothing is stored cut at U+0000 or with an
/// escape sequence in it.
enum RequestText {
  /// Member names under which string values may hold line breaks (LF, CR, tab): the
  /// documented free-text fields.
  static let lineBreakFields: Set<String> = [
    "metadata", "reason", "description", "additional_info",
  ]

  /// - Throws: `APIError.invalidPayload` naming the member ("order.items[2].product_id").
  static func check(_ value: JSONValue) throws {
    // A clean body (nearly every one) is walked once without building any member's path;
    // only a refused one is walked again to name where. Building "order.items[2].sku" for
    // every member cost more than parsing the body.
    guard holdsControl(value) else { return }
    try check(value, path: "", allowingLineBreaks: false)
  }

  /// Whether `check` refuses `value`: the rule the parser's `mayHoldControl` must never
  /// miss, since a body it clears is not walked (tested and fuzzed against it).
  static func holdsControl(_ value: JSONValue) -> Bool {
    holdsControl(value, allowingLineBreaks: false)
  }

  private static func holdsControl(_ value: JSONValue, allowingLineBreaks: Bool) -> Bool {
    switch value {
    case .string(let text):
      return SafeText.firstControl(in: text, allowingLineBreaks: allowingLineBreaks) != nil
    case .array(let elements):
      for element in elements where holdsControl(element, allowingLineBreaks: allowingLineBreaks) {
        return true
      }
      return false
    case .object(let members):
      for (key, member) in members {
        if SafeText.firstControl(in: key) != nil { return true }
        let lineBreaks = allowingLineBreaks || lineBreakFields.contains(key)
        if holdsControl(member, allowingLineBreaks: lineBreaks) { return true }
      }
      return false
    case .null, .bool, .number:
      return false
    }
  }

  private static func check(_ value: JSONValue, path: String, allowingLineBreaks: Bool) throws {
    switch value {
    case .string(let text):
      if let scalar = SafeText.firstControl(in: text, allowingLineBreaks: allowingLineBreaks) {
        throw APIError.invalidPayload(
          SafeText.controlMessage(field: path.isEmpty ? "the body" : path, scalar))
      }
    case .array(let elements):
      for (index, element) in elements.enumerated() {
        try check(element, path: "\(path)[\(index)]", allowingLineBreaks: allowingLineBreaks)
      }
    case .object(let members):
      for (key, member) in members {
        let name = path.isEmpty ? key : "\(path).\(key)"
        if let scalar = SafeText.firstControl(in: key) {
          throw APIError.invalidPayload(
            SafeText.controlMessage(
              field: "the member name \(SafeText.visible(name, limit: 80))", scalar))
        }
        try check(
          member, path: name,
          allowingLineBreaks: allowingLineBreaks || lineBreakFields.contains(key))
      }
    case .null, .bool, .number:
      return
    }
  }

  /// Refuses a control character in the decoded path or in a query parameter's name or
  /// value.
  ///
  /// - Throws: `APIError.invalidPayload` naming the parameter.
  static func check(path: String, query: [(name: String, value: String)]) throws {
    if let scalar = SafeText.firstControl(in: path) {
      throw APIError.invalidPayload(SafeText.controlMessage(field: "the path", scalar))
    }
    for (name, value) in query {
      if let scalar = SafeText.firstControl(in: name) {
        throw APIError.invalidPayload(
          SafeText.controlMessage(field: "a query parameter name", scalar))
      }
      if let scalar = SafeText.firstControl(in: value) {
        throw APIError.invalidPayload(
          SafeText.controlMessage(
            field: "the query parameter \(SafeText.visible(name, limit: 80))", scalar))
      }
    }
  }
}
