import Foundation
import VoucherEngine

/// Voucherify's customer object. Voucherify requires `summary`, `loyalty` and `referrals`;
/// this engine keeps no loyalty or referral programme, so they are written with zeros.
public struct WireCustomer: Codable, Sendable, Equatable {
  public var id: String
  @NullEncoded public var sourceId: String?
  @NullEncoded public var name: String?
  @NullEncoded public var email: String?
  @NullEncoded public var phone: String?
  /// Ours: the loyalty-club member number.
  @NullEncoded public var memberNumber: String?
  @NullEncoded public var description: String?
  @NullEncoded public var address: JSONValue?
  @NullEncoded public var birthdate: String?
  public var metadata: JSONValue
  public var createdAt: String
  public var updatedAt: String?
  public var object: String = "customer"
  public var summary: Summary? = Summary()
  public var loyalty: Loyalty? = Loyalty()
  public var referrals: Referrals? = Referrals()

  enum CodingKeys: String, CodingKey {
    case id, name, email, phone, metadata, object, summary, loyalty, referrals
    case description, address, birthdate
    case sourceId = "source_id"
    case memberNumber = "member_number"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
  }

  /// Voucherify's redemption and order totals; zeros here.
  public struct Summary: Codable, Sendable, Equatable {
    public var redemptions = Redemptions()
    public var orders = Orders()

    public struct Redemptions: Codable, Sendable, Equatable {
      public var totalRedeemed = 0
      public var totalFailed = 0
      public var totalSucceeded = 0
      public var totalRolledBack = 0
      public var totalRollbackFailed = 0
      public var totalRollbackSucceeded = 0
      public var gift = Gift()
      public var loyaltyCard = LoyaltyCard()

      enum CodingKeys: String, CodingKey {
        case gift
        case totalRedeemed = "total_redeemed"
        case totalFailed = "total_failed"
        case totalSucceeded = "total_succeeded"
        case totalRolledBack = "total_rolled_back"
        case totalRollbackFailed = "total_rollback_failed"
        case totalRollbackSucceeded = "total_rollback_succeeded"
        case loyaltyCard = "loyalty_card"
      }
    }

    public struct Gift: Codable, Sendable, Equatable {
      public var redeemedAmount = 0
      public var amountToGo = 0
      enum CodingKeys: String, CodingKey {
        case redeemedAmount = "redeemed_amount"
        case amountToGo = "amount_to_go"
      }
    }

    public struct LoyaltyCard: Codable, Sendable, Equatable {
      public var redeemedPoints = 0
      public var pointsToGo = 0
      enum CodingKeys: String, CodingKey {
        case redeemedPoints = "redeemed_points"
        case pointsToGo = "points_to_go"
      }
    }

    public struct Orders: Codable, Sendable, Equatable {
      public var totalAmount = 0
      public var totalCount = 0
      public var averageAmount = 0
      public var lastOrderAmount = 0
      enum CodingKeys: String, CodingKey {
        case totalAmount = "total_amount"
        case totalCount = "total_count"
        case averageAmount = "average_amount"
        case lastOrderAmount = "last_order_amount"
      }
    }
  }

  public struct Loyalty: Codable, Sendable, Equatable {
    public var points = 0
    public var referredCustomers = 0
    /// Voucherify's loyalty campaigns by name (none kept here).
    public var campaigns = JSONValue.emptyObject
    enum CodingKeys: String, CodingKey {
      case points, campaigns
      case referredCustomers = "referred_customers"
    }
  }

  public struct Referrals: Codable, Sendable, Equatable {
    public var total = 0
    public var campaigns: [JSONValue] = []
  }

  public init(_ customer: Customer) {
    id = customer.id
    sourceId = customer.sourceId
    name = customer.name
    email = customer.email
    phone = customer.phone
    memberNumber = customer.memberNumber
    description = customer.description
    address = customer.address
    birthdate = customer.birthdate
    metadata = customer.metadata
    createdAt = WireFormat.date(customer.createdAt)
    updatedAt = WireFormat.date(customer.updatedAt)
  }

  /// The engine's customer, or nil when a date cannot be read.
  public func engineValue() -> Customer? {
    guard let created = WireFormat.date(from: createdAt) else { return nil }
    return Customer(
      id: id, sourceId: sourceId, name: name, email: email, phone: phone,
      memberNumber: memberNumber, metadata: metadata, description: description,
      address: address, birthdate: birthdate, createdAt: created,
      updatedAt: updatedAt.flatMap(WireFormat.date(from:)) ?? created)
  }
}

/// `GET /v1/customers`.
public struct WireCustomerList: Codable, Sendable, Equatable {
  public var object = "list"
  public var dataRef = "customers"
  public var customers: [WireCustomer]
  public var total: Int
  public var hasMore = false

  enum CodingKeys: String, CodingKey {
    case object, customers, total
    case dataRef = "data_ref"
    case hasMore = "has_more"
  }

  public init(customers: [WireCustomer], total: Int, hasMore: Bool = false) {
    self.customers = customers
    self.total = total
    self.hasMore = hasMore
  }
}

/// A reference to a customer in a request: Voucherify's `{id}` or `{source_id}` (ours also
/// `{email}`); a full customer object is accepted too, and its other fields ignored.
public struct WireCustomerReference: Codable, Sendable, Equatable {
  public var id: String?
  public var sourceId: String?
  public var email: String?

  enum CodingKeys: String, CodingKey {
    case id, email
    case sourceId = "source_id"
  }

  public init(id: String? = nil, sourceId: String? = nil, email: String? = nil) {
    self.id = id
    self.sourceId = sourceId
    self.email = email
  }

  /// A reference for the engine's `id`, source id or email lookup.
  public init(reference: String) {
    if reference.hasPrefix("cust_") {
      self.init(id: reference)
    } else if reference.contains("@") {
      self.init(email: reference)
    } else {
      self.init(sourceId: reference)
    }
  }

  /// The first given of id, source id, email. Checked one by one rather than through an
  /// array of the three: this runs for every validation and redemption.
  public var reference: String? {
    if let id, !id.isEmpty { return id }
    if let sourceId, !sourceId.isEmpty { return sourceId }
    if let email, !email.isEmpty { return email }
    return nil
  }
}

/// `POST /v1/customers`: create, or update the one with the same source id.
public struct WireCustomerCreate: Codable, Sendable, Equatable {
  /// An existing customer's id: update that one (Voucherify's upsert by id).
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

  enum CodingKeys: String, CodingKey {
    case id, name, email, phone, metadata, description, address, birthdate, birthday
    case sourceId = "source_id"
    case memberNumber = "member_number"
  }

  /// The draft for the engine.
  ///
  /// - Throws: `APIError` (invalid payload) when metadata is not an object.
  public func draft() throws(APIError) -> CustomerDraft {
    if let metadata, !metadata.isObject { throw .invalidPayload("metadata must be an object") }
    if let address, !address.isObject { throw .invalidPayload("address must be an object") }
    return CustomerDraft(
      id: id, sourceId: sourceId, name: name, email: email, phone: phone,
      memberNumber: memberNumber, metadata: metadata, description: description,
      address: address, birthdate: birthdate, birthday: birthday)
  }
}

// Decoding what a Voucherify tenant sends (see `Wire+Decoding.swift`).
extension WireCustomer {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    _sourceId = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .sourceId))
    _name = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .name))
    _email = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .email))
    _phone = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .phone))
    _memberNumber = NullEncoded(
      wrappedValue: try c.decodeIfPresent(String.self, forKey: .memberNumber))
    _description = NullEncoded(
      wrappedValue: try c.decodeIfPresent(String.self, forKey: .description))
    _address = NullEncoded(wrappedValue: try c.decodeIfPresent(JSONValue.self, forKey: .address))
    _birthdate = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .birthdate))
    metadata = try c.value(.metadata, or: .emptyObject)
    createdAt = try c.value(.createdAt, or: "")
    updatedAt = try c.decodeIfPresent(String.self, forKey: .updatedAt)
    object = try c.value(.object, or: "customer")
    // Voucherify's programme summaries: informational, and this server keeps none.
    summary = try? c.decodeIfPresent(Summary.self, forKey: .summary)
    loyalty = try? c.decodeIfPresent(Loyalty.self, forKey: .loyalty)
    referrals = try? c.decodeIfPresent(Referrals.self, forKey: .referrals)
  }
}
