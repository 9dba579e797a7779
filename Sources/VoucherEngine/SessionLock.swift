import Foundation

/// A session named in a validation or redemption.
public struct SessionRequest: Equatable, Sendable {
  /// The session's key; nil asks the engine to make one (a validation only).
  public var key: String?
  /// How long a validation's hold lasts; nil means `defaultLifetime`.
  public var lifetime: TimeInterval?

  /// Seven days, when a validation names no `ttl`.
  public static let defaultLifetime: TimeInterval = 7 * 86_400

  public init(key: String? = nil, lifetime: TimeInterval? = nil) {
    self.key = key
    self.lifetime = lifetime
  }
}

/// What a validation session holds of one voucher: one use, and `giftCredits` of a gift
/// card, until `expiresAt` (by the engine's clock).
public struct SessionLock: Equatable, Sendable {
  public var voucherId: String
  public var key: String
  public var giftCredits: Int64
  public var expiresAt: Date
  public var createdAt: Date

  public init(voucherId: String, key: String, giftCredits: Int64, expiresAt: Date, createdAt: Date)
  {
    self.voucherId = voucherId
    self.key = key
    self.giftCredits = giftCredits
    self.expiresAt = expiresAt
    self.createdAt = createdAt
  }
}
