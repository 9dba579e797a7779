import Foundation
import VoucherClient
import VoucherEngine

/// The first screen: one live search field over every way a contact is known, and a code
/// field for a voucher typed or scanned without a contact.
public struct FindContactScreen: Equatable, Sendable {
  public enum Field: Equatable, Sendable { case contact, code }

  public var query = ""
  public var code = ""
  public var focus = Field.contact
  public var results: [Customer] = []
  /// How many contacts match in all, when the back end says; more pages load on ↓ past the
  /// last row and PgDn.
  public var total: Int?
  /// A next page is on its way.
  public var loadingMore = false
  /// The query `results` answer. It lags `query` while a search is under way, and an Enter
  /// typed in that gap (a scanner is faster than the search) waits for the answer.
  public var answeredQuery = ""
  /// True when the latest search failed: its empty list says nothing about who exists.
  public var searchFailed = false
  public var selection = 0
  public var opensWhenAnswered = false
  /// The code being looked up, so a stale answer is not taken for the current one.
  public var lookingUpCode: String?

  public init() {}

  var focusedText: String { focus == .contact ? query : code }

  public func handle(_ key: Key) -> Action? {
    guard let edited = TextEditing.edit(focusedText, with: key) else { return nil }
    return focus == .contact ? .queryEdited(edited) : .codeEdited(edited)
  }

  /// The ways of searching, in words: `name, email, phone, member number or id`.
  static func kinds(_ search: [BackendCapabilities.ContactSearch]) -> String {
    let words = search.map(\.rawValue)
    guard words.count > 1 else { return words.first ?? "" }
    return words.dropLast().joined(separator: ", ") + " or " + words.last!
  }

  /// Whether `text` can only be a name (letters and spaces): what a back end without name
  /// search cannot find.
  static func looksLikeName(_ text: String) -> Bool {
    text.contains { $0.isLetter } && !text.contains("@") && !text.contains { $0.isNumber }
  }

  /// `1,203`: thousands grouped, as a count reads.
  static func grouped(_ number: Int) -> String {
    let digits = Array(String(number))
    var out = ""
    for (index, digit) in digits.enumerated() {
      if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
      out.append(digit)
    }
    return out
  }

  public func render(into canvas: inout Canvas, in area: Rect, session: Session) {
    let y = area.y
    let search = session.capabilities.contactSearch
    canvas.put("Contact", x: 2, y: y, style: focus == .contact ? .bold : [])
    canvas.field(query, x: 11, y: y, width: 40, focused: focus == .contact)
    canvas.put(
      (search.isEmpty
        ? "no contact lookup" : search.compactMap(\.shortName).joined(separator: ", "))
        .fitted(to: area.width - 54), x: 54, y: y, style: .dim)
    canvas.put("Code", x: 2, y: y + 1, style: focus == .code ? .bold : [])
    canvas.field(code, x: 11, y: y + 1, width: 24, focused: focus == .code)
    canvas.put("a voucher code, typed or scanned", x: 38, y: y + 1, style: .dim)

    let trimmed = query.trimmingCharacters(in: .whitespaces)
    if search.isEmpty {
      canvas.put(
        "This voucher system has no contact lookup: scan or type a voucher code.", x: 2, y: y + 3)
      return
    }
    if trimmed.isEmpty {
      let exact = search.contains(.namePrefix) ? "" : " (exact)"
      canvas.put(
        "Type \(Self.kinds(search))\(exact).".fitted(to: area.width - 4), x: 2, y: y + 3)
      canvas.put("Or scan a voucher code: F3 moves to the code field.", x: 2, y: y + 4)
      return
    }
    if results.isEmpty, answeredQuery == query, !searchFailed, !search.contains(.namePrefix),
      Self.looksLikeName(trimmed)
    {
      canvas.put("This voucher system does not search contacts by name.", x: 2, y: y + 3)
      canvas.put(
        "Search by \(Self.kinds(search)).".fitted(to: area.width - 4), x: 2, y: y + 4)
      canvas.put("Enter looks it up as a voucher code.", x: 2, y: y + 5)
      return
    }
    if results.isEmpty {
      if answeredQuery == query, searchFailed {
        canvas.put(
          "Could not search for “\(trimmed)” (see below).".fitted(to: area.width - 4), x: 2,
          y: y + 3)
        canvas.put("Enter looks it up as a voucher code.", x: 2, y: y + 4)
      } else if answeredQuery == query {
        canvas.put("No contact matches “\(trimmed)”.".fitted(to: area.width - 4), x: 2, y: y + 3)
        canvas.put("Enter looks it up as a voucher code.", x: 2, y: y + 4)
      } else {
        canvas.put("Searching…", x: 2, y: y + 3, style: .dim)
      }
      return
    }
    canvas.row(
      [("Name", 2, 22), ("Email", 26, 28), ("Phone", 56, 13), ("Member", 71, 9)], y: y + 3,
      selected: false)
    if let total, total > results.count {
      canvas.putRight(
        "\(results.count) of \(Self.grouped(total))\(loadingMore ? " …" : " ↓")",
        end: area.width - 1, y: y + 2, style: .dim)
    }
    let visible = max(1, area.maxY - (y + 4))
    let first = max(0, selection - visible + 1)
    for (offset, customer) in results.dropFirst(first).prefix(visible).enumerated() {
      canvas.row(
        [
          (customer.name ?? customer.sourceId ?? customer.id, 2, 22),
          (customer.email ?? "", 26, 28),
          (customer.phone ?? "", 56, 13), (customer.memberNumber ?? "", 71, 9),
        ], y: y + 4 + offset, selected: first + offset == selection)
    }
  }
}
