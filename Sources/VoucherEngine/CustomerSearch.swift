/// What a typed query can match besides exact identifiers, already normalised: the form a
/// store needs to find, page and count the matches in one place.
public struct CustomerSearch: Equatable, Sendable {
  /// Customers found by an exact identifier (id, source id, email, member number, phone),
  /// listed first in this order.
  public var pinnedIds: [String]
  /// A member number without its prefix, ASCII lower case (`100123` for `M-100123`).
  public var bareMemberNumber: String?
  /// An email's local part, folded as emails are (`alice` for `Alice@example.com`).
  public var emailLocalPart: String?
  /// Digit strings (5 or more digits) that a phone's digits must contain.
  public var phoneDigits: [String]
  /// Folded prefixes that must each start some word of the name; empty for no name match.
  public var nameWordPrefixes: [String]

  public init(
    pinnedIds: [String] = [], bareMemberNumber: String? = nil, emailLocalPart: String? = nil,
    phoneDigits: [String] = [], nameWordPrefixes: [String] = []
  ) {
    self.pinnedIds = pinnedIds
    self.bareMemberNumber = bareMemberNumber
    self.emailLocalPart = emailLocalPart
    self.phoneDigits = phoneDigits
    self.nameWordPrefixes = nameWordPrefixes
  }

  /// Fewest digits of a phone number that a search looks for: fewer would match too many.
  public static let minimumPhoneDigits = 5

  /// The partial matches of what a cashier typed (`pinnedIds` left empty).
  public init(query: String) {
    let text = query.trimmingSpaces()
    self.init()
    guard !text.isEmpty else { return }
    nameWordPrefixes = ContactText.words(of: text)
    let bare = ContactText.bareMemberNumber(text)
    if let first = bare.utf8.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) {
      bareMemberNumber = bare
    }
    if !text.contains(where: \.isWhitespace) {
      var local = ContactText.foldEmail(text)
      if local.hasSuffix("@") { local.removeLast() }
      if !local.isEmpty, !local.contains("@") { emailLocalPart = local }
    }
    phoneDigits = Self.phoneDigits(in: text)
  }

  /// The digits of text that could be part of a phone number (digits, spaces, `+-./()`
  /// only), with a national `0` or international `00` taken off as well, since stored
  /// numbers are E.164 (`0701 23` also finds +46701234567).
  static func phoneDigits(in text: String) -> [String] {
    var digits: [UInt8] = []
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
      case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("),
        UInt8(ascii: ")"), UInt8(ascii: "/"), UInt8(ascii: "+"):
        continue
      default: return []
      }
    }
    var found: [String] = []
    var variant = digits[...]
    for _ in 0..<3 {
      guard variant.count >= minimumPhoneDigits else { break }
      found.append(String(decoding: variant, as: UTF8.self))
      guard variant.first == UInt8(ascii: "0") else { break }
      variant = variant.dropFirst()
    }
    return found
  }
}

extension ContactText {
  /// Letters and separators a member number's prefix is made of; the same set is written in
  /// the database's index on it (migration 10), so the two must change together.
  static let memberPrefixCharacters = Set(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -_./#:".utf8)

  /// A member number without its leading letters and separators, ASCII lower case:
  /// `M-100123` → `100123`.
  public static func bareMemberNumber(_ memberNumber: String) -> String {
    // ASCII lower case only, as SQLite's lower() in the index does.
    let bytes = memberNumber.utf8.drop { memberPrefixCharacters.contains($0) }.map {
      (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Every suffix of 5 or more digits of a phone number's digits: any 5+ consecutive digits
  /// of the number are a prefix of one of them.
  public static func phoneDigitSuffixes(_ phone: String) -> [String] {
    let digits = Array(phone.utf8.filter { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
    guard digits.count >= CustomerSearch.minimumPhoneDigits else { return [] }
    return (0...(digits.count - CustomerSearch.minimumPhoneDigits)).map {
      String(decoding: digits[$0...], as: UTF8.self)
    }
  }
}
