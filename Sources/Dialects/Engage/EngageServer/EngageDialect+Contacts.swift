import EngageWire
import Foundation
import VoucherEngine
import VoucherServer

extension EngageDialect {
  /// Where a contact's personal number (Engage's `socialSecurityNumber`) is kept: the
  /// engine has no field for it, so it sits in the customer's metadata under this key.
  public static let personalNumberKey = "personal_number"

  /// The keys of `GET /api/v3/contacts/id`, in the order `any` tries them.
  enum SearchKey: String, CaseIterable {
    case email, socialSecurityNumber, mobilePhone, customKey
  }

  /// `GET /api/v3/contacts/id`: the bare GUID of the one contact every given key matches.
  func contactId(_ request: HTTPRequest) throws -> HTTPResponse {
    if let type = request.query("contactType"), !type.isEmpty,
      !["member", "contact"].contains(type.lowercased())
    {
      // One contact type is kept: every contact is a Member.
      throw EngageError(
        status: 400, errorCode: "InvalidContactType",
        message: "The contact type “\(type)” is not known here; use Member.")
    }
    var searches: [(SearchKey, String)] = []
    for key in SearchKey.allCases {
      if let value = request.query(key.rawValue)?.trimmingSpaces(), !value.isEmpty {
        searches.append((key, value))
      }
    }
    if let any = request.query("any")?.trimmingSpaces(), !any.isEmpty {
      searches.append((Self.keyForAny(any), any))
    }
    guard !searches.isEmpty else {
      throw EngageError(
        status: 400, errorCode: "InvalidSearchQuery",
        message: "Name one of email, mobilePhone, socialSecurityNumber, customKey or any.")
    }
    var matching: Set<String>?
    for (key, value) in searches {
      let found = Set(try contacts(key, value).map(\.id))
      matching = matching.map { $0.intersection(found) } ?? found
    }
    let ids = matching ?? []
    guard !ids.isEmpty else {
      throw EngageError(status: 404, errorCode: "ContactNotFound", message: "No contact matches.")
    }
    guard ids.count == 1, let id = ids.first, let guid = EngageID.guid(engineId: id, kind: .contact)
    else {
      throw EngageError(
        status: 409, errorCode: "MultipleMatches",
        message: "\(ids.count) contacts match; search by a key only one of them has.")
    }
    return Self.json(guid)
  }

  /// `GET /api/v3/contacts/{contactId}`.
  func contact(guid: String, _ request: HTTPRequest) throws -> HTTPResponse {
    let customer = try customer(guid: guid)
    return Self.json(Self.contact(customer))
  }

  /// The customer behind a contact GUID: 400 `InvalidContactId` for text that is no GUID,
  /// 404 `ContactNotFound` for one that names nobody here.
  func customer(guid: String) throws -> Customer {
    guard EngageID.isGUID(guid) else {
      throw EngageError(
        status: 400, errorCode: "InvalidContactId", message: "“\(guid)” is not a contact id.")
    }
    guard let id = EngageID.engineId(guid: guid, kind: .contact),
      let customer = try engine.store.read({ try $0.customer(id: id) })
    else {
      throw EngageError(
        status: 404, errorCode: "ContactNotFound", message: "No contact has the id \(guid).")
    }
    return customer
  }

  static func contact(_ customer: Customer) -> EngageContact {
    let words = (customer.name ?? "").split(separator: " ", maxSplits: 1).map(String.init)
    return EngageContact(
      id: EngageID.guid(engineId: customer.id, kind: .contact) ?? customer.id,
      attributes: .init(
        firstName: words.first, lastName: words.count > 1 ? words[1] : nil,
        email: customer.email, mobilePhone: customer.phone, memberNumber: customer.memberNumber,
        externalId: customer.sourceId,
        socialSecurityNumber: storedPersonalNumber(of: customer)))
  }

  /// The personal number kept in the customer's metadata, as written there.
  static func storedPersonalNumber(of customer: Customer) -> String? {
    guard case .string(let text)? = customer.metadata[personalNumberKey] else { return nil }
    return text
  }

  /// What `any` tries the value as, in Engage's order: the first key it is valid for, even
  /// when nobody has it (then the answer is 404). A phone number must start with `+`
  /// (E.164), so a member number of digits is read as a member number.
  static func keyForAny(_ value: String) -> SearchKey {
    if isEmail(value) { return .email }
    if personalNumber(value) != nil { return .socialSecurityNumber }
    if value.hasPrefix("+"), ContactText.normalizePhone(value) != nil { return .mobilePhone }
    return .customKey
  }

  private func contacts(_ key: SearchKey, _ value: String) throws -> [Customer] {
    switch key {
    case .email:
      guard Self.isEmail(value) else {
        throw EngageError(
          status: 400, errorCode: "InvalidEmailAddress",
          message: "“\(value)” is not an email address.")
      }
      let folded = ContactText.foldEmail(value)
      return try engine.findCustomers(value, limit: 50).filter {
        $0.email.map(ContactText.foldEmail) == folded
      }
    case .mobilePhone:
      guard value.hasPrefix("+"), let phone = ContactText.normalizePhone(value) else {
        throw EngageError(
          status: 400, errorCode: "InvalidPhoneNumber",
          message: "“\(value)” is not a mobile number in E.164 form (+46701234567).")
      }
      return try engine.findCustomers(phone, limit: 50).filter { $0.phone == phone }
    case .customKey:
      return try engine.findCustomers(value, limit: 50).filter {
        $0.memberNumber == value || $0.sourceId == value
      }
    case .socialSecurityNumber:
      guard let number = Self.personalNumber(value) else {
        throw EngageError(
          status: 400, errorCode: "InvalidSocialSecurityNumber",
          message: "“\(value)” is not a Swedish personal number (YYMMDD-NNNN).")
      }
      // Not indexed (the engine keeps it in metadata): a scan, page by page.
      var found: [Customer] = []
      var page = 1
      while true {
        let (customers, total) = try engine.customers(page: page, limit: 500)
        found += customers.filter {
          Self.storedPersonalNumber(of: $0).flatMap(Self.personalNumber) == number
        }
        if customers.isEmpty || page * 500 >= total { break }
        page += 1
      }
      return found
    }
  }

  static func isEmail(_ text: String) -> Bool {
    let parts = text.split(separator: "@", omittingEmptySubsequences: false)
    return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
      && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !text.contains(" ")
  }

  /// A Swedish personal or coordination number as its last 10 digits, when its check digit
  /// (Luhn) holds; `YYYYMMDD-NNNN`, `YYMMDD-NNNN`, `YYMMDD+NNNN` or the digits alone.
  public static func personalNumber(_ text: String) -> String? {
    let digits = text.filter { $0 != "-" && $0 != "+" }
    guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count == 10 || digits.count == 12
    else {
      return nil
    }
    let ten = Array(digits.suffix(10)).map { Int($0.asciiValue! - 48) }
    var sum = 0
    for (index, digit) in ten.enumerated() {
      let weighted = index % 2 == 0 ? digit * 2 : digit
      sum += weighted > 9 ? weighted - 9 : weighted
    }
    return sum % 10 == 0 ? String(digits.suffix(10)) : nil
  }
}
