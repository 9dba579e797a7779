import Foundation
import VoucherAPI
import VoucherEngine

/// One reward voucher as Engage v3 lists it (`items[]` of the three lists).
///
/// Every field is written in every list, `null` where it has no value (`redeemedOn` of an
/// available voucher): the v3 per-list shapes are not published, and a client must ignore
/// what it does not need. Dates are ISO 8601 in UTC with milliseconds.
public struct EngageRewardVoucher: Codable, Sendable, Equatable {
  /// The GUID that `/redeem` and `/reactivate` take (`EngageID`, from the engine's voucher id).
  public var id: String
  /// The printed, scannable number: the engine's voucher code.
  public var voucherNumber: String
  @NullEncoded public var name: String?
  @NullEncoded public var redeemedOn: String?
  public var redeemed: Bool
  @NullEncoded public var expiresOn: String?
  public var value: EngageMoney
  public var localValues: [EngageMoney]
  @NullEncoded public var points: Decimal?
  /// Ours, not Engage's (which publishes neither): how many reactivations the voucher allows
  /// and has had. Left out by Engage; a client must not count on them there.
  public var reactivationLimit: Int64?
  public var reactivationCount: Int64?

  public init(
    id: String, voucherNumber: String, name: String?, redeemedOn: String?, redeemed: Bool,
    expiresOn: String?, value: EngageMoney, localValues: [EngageMoney] = [], points: Decimal? = nil,
    reactivationLimit: Int64? = nil, reactivationCount: Int64? = nil
  ) {
    self.reactivationLimit = reactivationLimit
    self.reactivationCount = reactivationCount
    self.id = id
    self.voucherNumber = voucherNumber
    self.name = name
    self.redeemedOn = redeemedOn
    self.redeemed = redeemed
    self.expiresOn = expiresOn
    self.value = value
    self.localValues = localValues
    self.points = points
  }
}

/// `{count, offset, items, totalCount}`: one page of a list.
public struct EngageRewardVoucherPage: Codable, Sendable, Equatable {
  /// Items on this page.
  public var count: Int
  public var offset: Int
  public var items: [EngageRewardVoucher]
  /// Items in the whole list.
  public var totalCount: Int

  public init(count: Int, offset: Int, items: [EngageRewardVoucher], totalCount: Int) {
    self.count = count
    self.offset = offset
    self.items = items
    self.totalCount = totalCount
  }

  /// `count` when a request names none (Engage v2's default), and the most one may ask.
  public static let defaultCount = 100
  public static let maximumCount = 1000
}

/// `GET /api/v3/contacts/{contactId}`: the v2 shape (the v3 body is not published), with the
/// attributes our engine knows. Unknown attributes are left out, never sent as guesses.
public struct EngageContact: Codable, Sendable, Equatable {
  public var id: String
  public var attributes: Attributes

  public struct Attributes: Codable, Sendable, Equatable {
    @NullEncoded public var firstName: String?
    @NullEncoded public var lastName: String?
    @NullEncoded public var email: String?
    @NullEncoded public var mobilePhone: String?
    @NullEncoded public var memberNumber: String?
    /// The shop's own id for the contact (our customer's source id).
    @NullEncoded public var externalId: String?
    @NullEncoded public var socialSecurityNumber: String?

    public init(
      firstName: String?, lastName: String?, email: String?, mobilePhone: String?,
      memberNumber: String?, externalId: String?, socialSecurityNumber: String?
    ) {
      self.firstName = firstName
      self.lastName = lastName
      self.email = email
      self.mobilePhone = mobilePhone
      self.memberNumber = memberNumber
      self.externalId = externalId
      self.socialSecurityNumber = socialSecurityNumber
    }
  }

  public init(id: String, attributes: Attributes) {
    self.id = id
    self.attributes = attributes
  }
}

/// Our error body (Engage publishes only the error names): the name is always in
/// `errorCode`; `message` says it in a sentence; `requestId` matches the access log.
public struct EngageError: Codable, Sendable, Equatable, Error {
  public var status: Int
  public var errorCode: String
  public var message: String
  @NullEncoded public var requestId: String?

  public init(status: Int, errorCode: String, message: String, requestId: String? = nil) {
    self.status = status
    self.errorCode = errorCode
    self.message = message
    self.requestId = requestId
  }
}

/// Reading and writing Engage bodies, on the shared JSON parser, decoder and encoder.
public enum EngageJSON {
  public static func encode(_ value: some Encodable) -> Data { WireFormat.encode(value) }

  public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
    try JSONValueDecoder().decode(type, from: JSONValue.parse(data))
  }

  /// An Engage date (ISO 8601, with or without fractions or an offset).
  public static func date(_ text: String?) -> Date? {
    guard let text else { return nil }
    if let date = WireFormat.date(from: text) { return date }
    return try? Date(text, strategy: .iso8601)
  }
}
