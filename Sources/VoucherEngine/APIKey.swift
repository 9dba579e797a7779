import Foundation

/// What a REST API key may do. Each role includes everything of the one before it.
public enum APIRole: String, Sendable, CaseIterable, Codable, Comparable {
  /// Read, validate, redeem: a till.
  case cashier
  /// A cashier's rights plus rollbacks and reactivations.
  case support
  /// Everything: creating, changing and deleting vouchers, gift balances, customers.
  case admin

  private var rank: Int {
    switch self {
    case .cashier: 0
    case .support: 1
    case .admin: 2
    }
  }

  public static func < (lhs: APIRole, rhs: APIRole) -> Bool { lhs.rank < rhs.rank }
}

/// A REST API key as stored: never the token itself, only a salted hash of it.
public struct APIKey: Equatable, Sendable {
  /// Public half of the credentials (`app_…`), sent as `X-App-Id`.
  public var appId: String
  /// Who or what the key is for ("till 02", "support desk").
  public var name: String
  public var role: APIRole
  public var createdAt: Date
  /// Set once the key is revoked; a revoked key authenticates nothing.
  public var revokedAt: Date?

  public init(appId: String, name: String, role: APIRole, createdAt: Date, revokedAt: Date?) {
    self.appId = appId
    self.name = name
    self.role = role
    self.createdAt = createdAt
    self.revokedAt = revokedAt
  }
}

/// A key just created, with its token: the only time the token is ever available.
public struct IssuedAPIKey: Equatable, Sendable {
  public var key: APIKey
  /// The secret, sent as `X-App-Token` (or `Authorization: Bearer`).
  public var token: String
}

/// The stored form of a key: what the store reads and writes.
public struct StoredAPIKey: Equatable, Sendable {
  public var key: APIKey
  /// Random bytes, hex, mixed into the hash so equal tokens never hash alike.
  public var salt: String
  /// SHA-256 of salt bytes followed by the token's UTF-8, hex.
  public var tokenHash: String

  public init(key: APIKey, salt: String, tokenHash: String) {
    self.key = key
    self.salt = salt
    self.tokenHash = tokenHash
  }
}
