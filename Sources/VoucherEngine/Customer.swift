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
  /// Any JSON object, kept as it was given.
  public var metadata: JSONValue
  /// Informational, as Voucherify keeps them: free text, a JSON object of address lines
  /// (`city`, `country`, …) and dates as given (`birthdate` is `YYYY-MM-DD`).
  public var description: String?
  public var address: JSONValue?
  public var birthdate: String?
  public var birthday: String?
  public var createdAt: Date
  public var updatedAt: Date

  /// What every id the engine makes starts with.
  static let idPrefix = "cust_"

  public init(
    id: String, sourceId: String?, name: String?, email: String?, phone: String?,
    memberNumber: String?, metadata: JSONValue, description: String? = nil,
    address: JSONValue? = nil, birthdate: String? = nil, birthday: String? = nil,
    createdAt: Date, updatedAt: Date
  ) {
    self.id = id
    self.sourceId = sourceId
    self.name = name
    self.email = email
    self.phone = phone
    self.memberNumber = memberNumber
    self.metadata = metadata
    self.description = description
    self.address = address
    self.birthdate = birthdate
    self.birthday = birthday
    self.createdAt = createdAt
    self.updatedAt = updatedAt
  }
}

/// What a caller may set on a customer. `nil` leaves a field as it is on update.
public struct CustomerDraft: Equatable, Sendable {
  /// Names an existing customer to update (Voucherify's upsert by `id`); nil to find one by
  /// source id or email, or create one.
  public var id: String?
  public var sourceId: String?
  public var name: String?
  public var email: String?
  public var phone: String?
  public var memberNumber: String?
  public var metadata: JSONValue?
  public var description: String?
  public var address: JSONValue?
  public var birthdate: String?
  public var birthday: String?

  public init(
    id: String? = nil, sourceId: String? = nil, name: String? = nil, email: String? = nil,
    phone: String? = nil, memberNumber: String? = nil, metadata: JSONValue? = nil,
    description: String? = nil, address: JSONValue? = nil, birthdate: String? = nil,
    birthday: String? = nil
  ) {
    self.id = id
    self.description = description
    self.address = address
    self.birthdate = birthdate
    self.birthday = birthday
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
    let trimmed = text.trimmingSpaces()
    // Plain ASCII has no accents or widths to fold; lower-casing is enough and far cheaper.
    if trimmed.utf8.allSatisfy({ $0 < 0x80 }) { return trimmed.lowercased() }
    return trimmed.folding(
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
    let folded = fold(name)
    if folded.utf8.allSatisfy({ $0 < 0x80 }) {
      return folded.utf8.split(whereSeparator: { $0 <= 0x20 || $0 == 0x2D || $0 == 0x2C })
        .map { String(decoding: $0, as: UTF8.self) }
    }
    return folded.split(whereSeparator: { $0.isWhitespace || $0 == "-" || $0 == "," }).map(
      String.init)
  }

  /// E.164 from what a person types: spaces, dashes, dots and brackets dropped, `00` becomes
  /// `+`, and a leading single `0` takes `defaultCountryCode` (`0701234567` → `+46701234567`).
  /// Returns nil when what is left is not 6–15 digits.
  public static func normalizePhone(_ text: String, defaultCountryCode: String = "46") -> String? {
    // Works on bytes: this runs for every row of a bulk issuance.
    var digits: [UInt8] = []
    var plus = false
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
      case UInt8(ascii: "+") where digits.isEmpty && !plus: plus = true
      case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("),
        UInt8(ascii: ")"), UInt8(ascii: "/"), 0x09:
        continue
      default: return nil
      }
    }
    var body = digits[...]
    if !plus, body.starts(with: [UInt8(ascii: "0"), UInt8(ascii: "0")]) {
      body = body.dropFirst(2)
    } else if !plus, body.first == UInt8(ascii: "0") {
      body = Array(defaultCountryCode.utf8)[...] + body.dropFirst()
    }
    guard (6...15).contains(body.count) else { return nil }
    return "+" + String(decoding: body, as: UTF8.self)
  }

  /// A plausible email: one `@`, something before it, a dot after it, no spaces.
  public static func isPlausibleEmail(_ text: String) -> Bool {
    var at: Int?
    var count = 0
    var lastDot = -1
    for byte in text.utf8 {
      if byte <= 0x20 { return false }
      if byte == UInt8(ascii: "@") {
        if at != nil { return false }
        at = count
      } else if byte == UInt8(ascii: "."), at != nil {
        if count == at! + 1 { return false }
        lastDot = count
      }
      count += 1
    }
    guard let at, at > 0 else { return false }
    return lastDot > at && lastDot < count - 1
  }
}
