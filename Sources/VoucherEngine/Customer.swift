import Foundation

/// A contact the store knows: found by name, email, phone, member number or its own id.
public struct Customer: Equatable, Sendable, Codable {
  /// Ours: `cust_…`.
  public var id: String
  /// The shop's own id for the customer (unique when present).
  public var sourceId: String?
  public var name: String?
  /// Unique, compared case-insensitively.
  public var email: String?
  /// Normalised E.164 (`+46701234567`).
  public var phone: String?
  public var memberNumber: String?
  public var metadata: [String: String]
  public var createdAt: Date
  public var updatedAt: Date

  public init(
    id: String, sourceId: String?, name: String?, email: String?, phone: String?,
    memberNumber: String?, metadata: [String: String], createdAt: Date, updatedAt: Date
  ) {
    self.id = id
    self.sourceId = sourceId
    self.name = name
    self.email = email
    self.phone = phone
    self.memberNumber = memberNumber
    self.metadata = metadata
    self.createdAt = createdAt
    self.updatedAt = updatedAt
  }
}

/// What a caller may set on a customer. `nil` leaves a field as it is on update.
public struct CustomerDraft: Equatable, Sendable {
  public var sourceId: String?
  public var name: String?
  public var email: String?
  public var phone: String?
  public var memberNumber: String?
  public var metadata: [String: String]?

  public init(
    sourceId: String? = nil, name: String? = nil, email: String? = nil, phone: String? = nil,
    memberNumber: String? = nil, metadata: [String: String]? = nil
  ) {
    self.sourceId = sourceId
    self.name = name
    self.email = email
    self.phone = phone
    self.memberNumber = memberNumber
    self.metadata = metadata
  }
}

/// Normalising the fields people type, so the same person is found however it was written.
public enum ContactText {
  /// Lower-cased, accents removed, spaces trimmed: `Åsa` and `asa` meet.
  public static func fold(_ text: String) -> String {
    text.trimmingSpaces().folding(
      options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive],
      locale: Locale(identifier: "en_US_POSIX"))
  }

  /// Emails are compared case-insensitively, but accents stay: `josé@` and `jose@` are two
  /// different mailboxes.
  public static func foldEmail(_ email: String) -> String {
    email.trimmingSpaces().lowercased()
  }

  /// The folded words of a name, for prefix search on any of them.
  public static func words(of name: String) -> [String] {
    fold(name).split(whereSeparator: { $0.isWhitespace || $0 == "-" || $0 == "," }).map(String.init)
  }

  /// E.164 from what a person types: spaces, dashes, dots and brackets dropped, `00` becomes
  /// `+`, and a leading single `0` takes `defaultCountryCode` (`0701234567` → `+46701234567`).
  /// Returns nil when what is left is not 6–15 digits.
  public static func normalizePhone(_ text: String, defaultCountryCode: String = "46") -> String? {
    var digits = text.trimmingSpaces().filter { !" -.()/".contains($0) }
    if digits.hasPrefix("00") { digits = "+" + digits.dropFirst(2) }
    if digits.hasPrefix("0") { digits = "+" + defaultCountryCode + digits.dropFirst() }
    if !digits.hasPrefix("+") { digits = "+" + digits }
    let body = digits.dropFirst()
    guard (6...15).contains(body.count), body.allSatisfy(\.isASCIIDigit) else { return nil }
    return digits
  }

  /// A plausible email: one `@`, something before it, a dot after it, no spaces.
  public static func isPlausibleEmail(_ text: String) -> Bool {
    let parts = text.split(separator: "@", omittingEmptySubsequences: false)
    return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
      && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
      && !text.contains(where: \.isWhitespace)
  }
}
