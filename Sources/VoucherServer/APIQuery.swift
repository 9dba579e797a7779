import Foundation
import VoucherAPI
import VoucherEngine

/// A request's query, checked against the names a route takes: an unknown name, or a
/// filter this server does not implement, is refused (400 `invalid_query_params`) rather
/// than ignored, which would answer with a wider list than asked for.
struct APIQuery {
  let items: [(name: String, value: String)]

  /// - Parameters:
  ///   - known: names the route reads.
  ///   - unsupported: names of Voucherify's schema for this route that would narrow the
  ///     list and are not implemented here; a `prefix*` entry covers every name starting
  ///     with `prefix`.
  init(_ request: HTTPRequest, known: Set<String>, unsupported: Set<String> = []) throws {
    // Voucherify's Python SDK writes a nested parameter it was given no value for as the
    // text `None` (`created_at[before]=None`, every `filters[…][conditions][$in]=None`):
    // that is its null, and null is absent. A plain parameter it leaves out.
    items = request.queryItems().filter { !($0.name.contains("[") && $0.value == "None") }
    var unknown: [String] = []
    var refused: [String] = []
    func matches(_ name: String, _ set: Set<String>) -> Bool {
      set.contains(name) || set.contains { $0.hasSuffix("*") && name.hasPrefix($0.dropLast()) }
    }
    for (name, _) in items {
      if matches(name, known) { continue }
      if matches(name, unsupported) {
        if !refused.contains(name) { refused.append(name) }
      } else if !unknown.contains(name) {
        unknown.append(name)
      }
    }
    var parts: [String] = []
    if !unknown.isEmpty {
      parts.append(
        (unknown.count == 1 ? "unknown query parameter " : "unknown query parameters ")
          + unknown.joined(separator: ", "))
    }
    if !refused.isEmpty {
      parts.append(
        (refused.count == 1 ? "unsupported filter " : "unsupported filters ")
          + refused.joined(separator: ", ") + ": this server does not implement "
          + (refused.count == 1 ? "it" : "them"))
    }
    if !parts.isEmpty { throw APIError.invalidQueryParams(parts.joined(separator: "; ")) }
  }

  /// The first value of `name`.
  func value(_ name: String) -> String? { items.first { $0.name == name }?.value }

  /// Every value of `name`, a comma-separated value split, and a list written as text
  /// (`['a', 'b']`, as one SDK sends a list) unwrapped.
  func list(_ name: String) -> [String]? {
    let values = items.filter { $0.name == name || $0.name == name + "[]" }.map(\.value)
    guard !values.isEmpty else { return nil }
    return values.flatMap { value -> [String] in
      var text = value.trimmingCharacters(in: .whitespaces)
      if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
      return text.split(separator: ",").map {
        $0.trimmingCharacters(in: CharacterSet(charactersIn: " '\""))
      }.filter { !$0.isEmpty }
    }
  }

  func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
    guard let text = value(name) else { return nil }
    guard let number = Int(text), range.contains(number) else {
      throw APIError.invalidQueryParams(
        "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return number
  }

  func date(_ name: String) throws -> Date? {
    guard let text = value(name) else { return nil }
    guard let date = Self.date(text) else {
      throw APIError.invalidQueryParams(
        "\(name) must be an ISO 8601 date (2016-11-16) or date-time (2016-11-16T14:14:31Z)")
    }
    return date
  }

  /// A sort order among `fields` (`-created_at` is descending).
  func order(_ fields: Set<String>) throws -> ListOrder? {
    guard let text = value("order") else { return nil }
    let descending = text.hasPrefix("-")
    let field = descending ? String(text.dropFirst()) : text
    guard fields.contains(field) else {
      throw APIError.invalidQueryParams(
        "order must be one of "
          + fields.sorted().flatMap { [$0, "-" + $0] }.joined(separator: ", "))
    }
    return ListOrder(field: field, descending: descending)
  }

  /// `2016-11-16`, or a date-time with optional seconds, fraction (any length) and zone
  /// (`Z`, `+01:00`, `+0100`; none is UTC).
  static func date(_ text: String) -> Date? {
    let scalars = Array(text.utf8)
    func number(_ from: Int, _ count: Int) -> Int? {
      guard from + count <= scalars.count else { return nil }
      var value = 0
      for byte in scalars[from..<(from + count)] {
        guard (0x30...0x39).contains(byte) else { return nil }
        value = value * 10 + Int(byte - 0x30)
      }
      return value
    }
    guard let year = number(0, 4), scalars.count >= 10, scalars[4] == 0x2D, scalars[7] == 0x2D,
      let month = number(5, 2), let day = number(8, 2)
    else { return nil }
    var components = DateComponents(
      calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
      year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
    var index = 10
    var fraction = 0.0
    var offset = 0
    if index < scalars.count {
      guard scalars[index] == 0x54 || scalars[index] == 0x20, let hour = number(index + 1, 2),
        index + 3 < scalars.count, scalars[index + 3] == 0x3A, let minute = number(index + 4, 2)
      else { return nil }
      components.hour = hour
      components.minute = minute
      index += 6
      if index < scalars.count, scalars[index] == 0x3A {
        guard let second = number(index + 1, 2) else { return nil }
        components.second = second
        index += 3
      }
      if index < scalars.count, scalars[index] == 0x2E {
        index += 1
        var scale = 0.1
        let start = index
        while index < scalars.count, (0x30...0x39).contains(scalars[index]) {
          fraction += Double(scalars[index] - 0x30) * scale
          scale /= 10
          index += 1
        }
        guard index > start else { return nil }
      }
      if index < scalars.count {
        switch scalars[index] {
        case 0x5A: index += 1
        case 0x2B, 0x2D:
          let sign = scalars[index] == 0x2B ? 1 : -1
          guard let hours = number(index + 1, 2) else { return nil }
          var minutes = 0
          if index + 3 < scalars.count, scalars[index + 3] == 0x3A, let value = number(index + 4, 2)
          {
            minutes = value
            index += 6
          } else if let value = number(index + 3, 2) {
            minutes = value
            index += 5
          } else {
            index += 3
          }
          offset = sign * (hours * 3600 + minutes * 60)
        default: return nil
        }
      }
      guard index == scalars.count else { return nil }
    }
    guard let date = components.date else { return nil }
    // To whole milliseconds, as dates are stored.
    let seconds = date.timeIntervalSince1970 - Double(offset) + fraction
    return Date(timeIntervalSince1970: (seconds * 1000).rounded(.down) / 1000)
  }
}
