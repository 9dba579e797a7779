import Foundation

/// What a member of staff may do at a till on a local database.
public enum StaffRole: String, Sendable, CaseIterable, Codable {
  /// Sells and redeems.
  case cashier
  /// A cashier's rights plus reactivations and voids.
  case support
}

/// A member of staff as the engine shows them: never the PIN, nor its hash.
public struct StaffMember: Equatable, Sendable {
  /// Unique among staff, compared without regard to ASCII case ("Maja" and "maja" are one).
  public var name: String
  public var role: StaffRole
  public var createdAt: Date
  /// Set once revoked; a revoked member's PIN verifies nothing.
  public var revokedAt: Date?

  public init(name: String, role: StaffRole, createdAt: Date, revokedAt: Date?) {
    self.name = name
    self.role = role
    self.createdAt = createdAt
    self.revokedAt = revokedAt
  }
}

/// The stored form of a member of staff: a salted hash of the PIN and the count of wrong
/// PINs that guards against guessing.
public struct StoredStaffMember: Equatable, Sendable {
  public var member: StaffMember
  /// Random bytes, hex, mixed into the hash so equal PINs never hash alike.
  public var salt: String
  /// SHA-256 of the salt bytes followed by the PIN's UTF-8, hex.
  public var pinHash: String
  /// Wrong PINs since the last right one or the last lockout.
  public var failedAttempts: Int
  /// While this is in the future, no PIN is checked for this name.
  public var lockedUntil: Date?

  public init(
    member: StaffMember, salt: String, pinHash: String, failedAttempts: Int, lockedUntil: Date?
  ) {
    self.member = member
    self.salt = salt
    self.pinHash = pinHash
    self.failedAttempts = failedAttempts
    self.lockedUntil = lockedUntil
  }
}

/// Too many wrong PINs for one name: no PIN is checked for it until `until`.
public struct StaffLockedOutError: Error, Equatable, Sendable {
  public var name: String
  /// When PINs are checked again (engine clock).
  public var until: Date

  public init(name: String, until: Date) {
    self.name = name
    self.until = until
  }
}
