import Foundation
import Synchronization

extension VoucherEngine {
  /// Creates an API key for the REST endpoint. The token is 32 random bytes; only a salted
  /// SHA-256 of it is stored, so it is shown this once.
  ///
  /// - Throws: `Refusal` with `.invalidPayload` for an empty or overlong name.
  public func addAPIKey(name: String, role: APIRole) throws -> IssuedAPIKey {
    let name = name.trimmingSpaces()
    guard !name.isEmpty, name.count <= 100 else {
      throw Refusal(code: nil, reason: .invalidPayload("a key name must be 1–100 characters"))
    }
    var generator = SystemRandomNumberGenerator()
    let tokenBytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    let saltBytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    let token = "vpt_" + tokenBytes.hexString
    let key = APIKey(
      appId: Identifiers.make("app_"), name: name, role: role, createdAt: clock.now(),
      revokedAt: nil)
    let stored = StoredAPIKey(
      key: key, salt: saltBytes.hexString, tokenHash: Self.tokenHash(salt: saltBytes, token: token))
    try store.write { store in
      try store.insert(stored)
      try store.appendEvent(
        date: key.createdAt, actor: nil, kind: "api_key.created", subject: key.appId,
        detail: JSONText.encode(["name": name, "role": role.rawValue]))
    }
    return IssuedAPIKey(key: key, token: token)
  }

  /// Every key, oldest first, revoked ones included (without their hashes).
  public func apiKeys() throws -> [APIKey] {
    try store.read { try $0.apiKeys().map(\.key) }
  }

  /// Revokes a key; it stops working at once on SQLite, and within
  /// `RecentKeys.postgreSQLLifetime` (1 s) on every server of a PostgreSQL database.
  ///
  /// - Returns: false when no live key has this app id.
  @discardableResult
  public func revokeAPIKey(appId: String) throws -> Bool {
    let now = clock.now()
    defer { recentKeys?.forget(appId: appId) }
    return try store.write { store in
      guard try store.revokeAPIKey(appId: appId, at: now) else { return false }
      try store.appendEvent(
        date: now, actor: nil, kind: "api_key.revoked", subject: appId, detail: "{}")
      return true
    }
  }

  /// The live key with this app id whose token matches, compared in constant time; nil for
  /// an unknown app id, a revoked key or a wrong token (the caller cannot tell which).
  public func authenticate(appId: String, token: String) throws -> APIKey? {
    guard !appId.isEmpty, appId.utf8.count <= 100, token.utf8.count <= 200 else { return nil }
    // On SQLite the key is read every time, so a revocation (by any process) counts at once.
    // On PostgreSQL that read is a round trip to the database for every request, a third of
    // a validation's: a key read there is used for at most a second after the read began, so
    // a revocation counts on every server within that second (`revokeAPIKey` also forgets
    // the key in its own process at once).
    var found = recentKeys?.key(appId: appId)
    if found == nil {
      let readAt = ContinuousClock.now
      found = try store.read { try $0.apiKey(appId: appId) }
      if let found { recentKeys?.remember(found, readAt: readAt) }
    }
    guard let stored = found, stored.key.revokedAt == nil
    else { return nil }
    let presented = Array(token.utf8)
    if verifiedTokens.accepts(presented, appId: appId, tokenHash: stored.tokenHash) {
      return stored.key
    }
    guard let salt = [UInt8](hex: stored.salt), let expected = [UInt8](hex: stored.tokenHash)
    else { return nil }
    guard SHA256.constantTimeEqual(SHA256.hash(salt + presented), expected) else { return nil }
    verifiedTokens.remember(presented, appId: appId, tokenHash: stored.tokenHash)
    return stored.key
  }

  static func tokenHash(salt: [UInt8], token: String) -> String {
    SHA256.hex(salt + Array(token.utf8))
  }
}

extension Array where Element == UInt8 {
  /// Bytes from lower- or upper-case hex; nil for anything else.
  init?(hex: String) {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { return nil }
    func value(_ digit: UInt8) -> UInt8? {
      switch digit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
      default: nil
      }
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    for index in stride(from: 0, to: digits.count, by: 2) {
      guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
      bytes.append(high << 4 | low)
    }
    self = bytes
  }
}

/// API keys as read from the store, each used for at most `lifetime` after it was read.
final class RecentKeys: Sendable {
  /// How long a PostgreSQL server keeps using a key it read: the bound on how late a
  /// revocation made through another server is honoured.
  static let postgreSQLLifetime: Duration = .seconds(1)

  private typealias Entry = (key: StoredAPIKey, readAt: ContinuousClock.Instant)
  private let lifetime: Duration
  private let entries = PerThreadShards<[String: Entry]> { [:] }

  init(lifetime: Duration) { self.lifetime = lifetime }

  func key(appId: String) -> StoredAPIKey? {
    let now = ContinuousClock.now
    let entry = entries.withCurrent { $0[appId] }
    guard let entry, now - entry.readAt < lifetime else { return nil }
    return entry.key
  }

  /// Keeps `key`, read by a read that began at `readAt`: its lifetime runs from before the
  /// snapshot the key came from, so a revocation committed later is honoured in time.
  func remember(_ key: StoredAPIKey, readAt: ContinuousClock.Instant) {
    entries.withCurrent { entries in
      // Keys are few (one per till or service); past this many the cache starts over.
      if entries.count >= 1024 { entries.removeAll() }
      entries[key.key.appId] = (key, readAt)
    }
  }

  /// Forgets the key on every thread's shard, at once.
  func forget(appId: String) {
    entries.withEach { $0[appId] = nil }
  }
}

/// The tokens that matched their key's stored hash in this process, one per app id, so the
/// salted SHA-256 (4% of a validation over HTTP) runs once per till rather than per request.
///
/// An entry only ever accepts the exact token that was verified, and only while the key's
/// stored hash is the one it was verified against; the key itself is still read (and a
/// revoked one refused) on every request.
final class VerifiedTokens: Sendable {
  private struct Entry {
    let tokenHash: String
    let token: [UInt8]
  }

  /// Keys are few (one per till or service); past this many the cache starts over.
  private static let capacity = 1024
  private let entries = PerThreadShards<[String: Entry]> { [:] }

  func accepts(_ token: [UInt8], appId: String, tokenHash: String) -> Bool {
    guard let entry = entries.withCurrent({ $0[appId] }), entry.tokenHash == tokenHash else {
      return false
    }
    return SHA256.constantTimeEqual(entry.token, token)
  }

  func remember(_ token: [UInt8], appId: String, tokenHash: String) {
    entries.withCurrent { entries in
      if entries.count >= Self.capacity { entries.removeAll() }
      entries[appId] = Entry(tokenHash: tokenHash, token: token)
    }
  }
}
