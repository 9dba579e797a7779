import Foundation
import VoucherEngine

/// Voucherify's validation session: `{type: "LOCK", key, ttl, ttl_unit}` in a request, and
/// the session opened in a validation's answer.
public struct WireSession: Codable, Sendable, Equatable {
  public var key: String?
  public var type: String?
  public var ttl: Decimal?
  public var ttlUnit: String?

  enum CodingKeys: String, CodingKey {
    case key, type, ttl
    case ttlUnit = "ttl_unit"
  }

  public init(key: String?, type: String? = "LOCK", ttl: Decimal? = nil, ttlUnit: String? = nil) {
    self.key = key
    self.type = type
    self.ttl = ttl
    self.ttlUnit = ttlUnit
  }

  /// The session a validation opened: its key and lifetime in seconds.
  public init(_ lock: SessionLock) {
    key = lock.key
    type = "LOCK"
    let seconds = (lock.expiresAt.timeIntervalSince(lock.createdAt)).rounded()
    ttl = Decimal(Int64(seconds))
    ttlUnit = "SECONDS"
  }

  static let units: [String: Double] = [
    "DAYS": 86_400, "HOURS": 3_600, "MINUTES": 60, "SECONDS": 1, "MILLISECONDS": 0.001,
    "MICROSECONDS": 0.000_001, "NANOSECONDS": 0.000_000_001,
  ]

  /// The engine's session request.
  ///
  /// - Throws: `APIError` (invalid payload) for a type other than LOCK, or a bad ttl.
  public func engineValue() throws(APIError) -> SessionRequest {
    if let type, type != "LOCK" { throw .invalidPayload("session.type must be LOCK") }
    if let key, key.isEmpty || key.utf8.count > 200 {
      throw .invalidPayload("session.key must be 1–200 characters")
    }
    var lifetime: TimeInterval?
    if let ttl {
      let unit = ttlUnit ?? "SECONDS"
      guard let seconds = Self.units[unit] else {
        throw .invalidPayload(
          "session.ttl_unit must be one of \(Self.units.keys.sorted().joined(separator: ", "))")
      }
      let value = NSDecimalNumber(decimal: ttl).doubleValue * seconds
      guard value > 0, value <= 366 * 86_400 else {
        throw .invalidPayload("session.ttl must be above 0 and at most a year")
      }
      lifetime = value
    }
    return SessionRequest(key: key, lifetime: lifetime)
  }
}
