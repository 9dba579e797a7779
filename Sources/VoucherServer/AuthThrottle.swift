import Foundation
import Synchronization
import VoucherEngine

/// Failed authentications counted per key and per client address over a fixed window;
/// past the limit, the key or the address is answered 429 until its window ends.
///
/// A wrong or revoked token counts against its key (its app id) at the client's address, so
/// a till with a broken token locks only itself, and nobody elsewhere can lock it out; no key or an unknown app id counts against the address, and a
/// locked address still serves requests whose key is valid, so one broken till cannot
/// starve the other tills behind the same address. 3,000 wrong tokens went through in 0.41 s
/// before this, each one answered 401.
public struct AuthLimits: Sendable {
  /// Failures allowed per key (at one address) in one window.
  public var perKey = 10
  /// Failures allowed per client address (no key or an unknown key) in one window.
  public var perAddress = 30
  /// The window, in seconds.
  public var window = 60

  public init() {}
}

/// Shared by every dialect `serve` answers whose key is one of ours (Voucherify's headers,
/// Engage's `apikey`), so a wrong token counts the same whichever header carried it.
public final class AuthThrottle: Sendable {
  private struct Count {
    var windowStart: ContinuousClock.Instant
    var failures: Int
  }

  public let limits: AuthLimits
  private let keys = Mutex<[String: Count]>([:])
  private let addresses = Mutex<[String: Count]>([:])
  /// When the last window of a key that reached its limit ends, in nanoseconds after
  /// `origin` (0: none ever did). Every request asks whether its key is throttled; while
  /// none is, the answer is read here without the table's lock, which 16 request threads
  /// on 2 cores contended: a fifth of a validation's server time, spinning in `Mutex`.
  private let keysThrottledUntil = Atomic<Int64>(0)
  private let origin = ContinuousClock.now

  public init(limits: AuthLimits = AuthLimits()) {
    self.limits = limits
  }

  /// What authentication decided.
  public enum Verdict: Sendable {
    case passed(APIKey)
    /// No key, an unknown key, a wrong token or a revoked key: one answer for all four.
    case refused
    /// Too many failures for this key at this address, or for this address: 429.
    case throttled(retryAfter: Int, limit: Int)
  }

  /// `appId` and `token` checked against the engine's keys, failures counted. A wrong or
  /// revoked token counts against its key at `address`; no key or an unknown app id counts
  /// against `address`, and a throttled address still passes a valid key.
  ///
  /// - Throws: when the store cannot be read: the answer is 503, not a refused key.
  public func authenticate(
    appId: String?, token: String?, address: String, engine: VoucherEngine
  ) throws -> Verdict {
    // Counted per key and address: a broken till locks itself out, and nobody elsewhere can
    // lock a till out by sending its app id with wrong tokens.
    let keyAtAddress = appId.map { "\($0) \(address)" }
    if let keyAtAddress, let retry = keyRetryAfter(keyAtAddress) {
      return .throttled(retryAfter: retry, limit: limits.perKey)
    }
    if let appId, let token, let key = try engine.authenticate(appId: appId, token: token) {
      return .passed(key)
    }
    // Only a failure pays for the lookup that says whom to count it against.
    if let appId, let keyAtAddress, (try? engine.hasAPIKey(appId: appId)) == true {
      keyFailed(keyAtAddress)
    } else {
      if let retry = addressRetryAfter(address) {
        return .throttled(retryAfter: retry, limit: limits.perAddress)
      }
      addressFailed(address)
    }
    return .refused
  }

  /// `Retry-After` and Voucherify's `X-Rate-Limit-*` headers for a 429.
  public static func headers(retryAfter: Int, limit: Int) -> [(name: String, value: String)] {
    [
      ("Retry-After", "\(retryAfter)"), ("X-Rate-Limit-Limit", "\(limit)"),
      ("X-Rate-Limit-Remaining", "0"), ("X-Rate-Limit-Reset", "\(retryAfter)"),
    ]
  }

  /// Seconds until `key` may try again, or nil when it may now.
  func keyRetryAfter(_ key: String) -> Int? {
    guard nanoseconds(since: ContinuousClock.now) < keysThrottledUntil.load(ordering: .acquiring)
    else { return nil }
    return retryAfter(keys, key, limit: limits.perKey)
  }

  func addressRetryAfter(_ address: String) -> Int? {
    retryAfter(addresses, address, limit: limits.perAddress)
  }

  func keyFailed(_ key: String) {
    guard let windowEnd = record(keys, key, limit: limits.perKey) else { return }
    // Only ever raised: a later end covers every earlier one. A request that asks before it
    // is raised ran beside this failure, and is answered as if it came first.
    keysThrottledUntil.max(nanoseconds(since: windowEnd), ordering: .releasing)
  }
  func addressFailed(_ address: String) { record(addresses, address, limit: limits.perAddress) }

  private var window: Duration { .seconds(max(1, limits.window)) }

  private func retryAfter(_ table: borrowing Mutex<[String: Count]>, _ name: String, limit: Int)
    -> Int?
  {
    let now = ContinuousClock.now
    return table.withLock { all in
      guard let count = all[name], now - count.windowStart < window, count.failures >= limit
      else { return nil }
      let left = window - (now - count.windowStart)
      return max(1, Int(left.components.seconds) + (left.components.attoseconds > 0 ? 1 : 0))
    }
  }

  private func nanoseconds(since instant: ContinuousClock.Instant) -> Int64 {
    let elapsed = (instant - origin).components
    return elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000
  }

  /// Counts a failure of `name`; when it reaches `limit`, the end of its window.
  @discardableResult
  private func record(_ table: borrowing Mutex<[String: Count]>, _ name: String, limit: Int)
    -> ContinuousClock.Instant?
  {
    let now = ContinuousClock.now
    let window = window
    return table.withLock { all in
      // A table grown by a scan of many addresses or app ids is swept of old windows, so
      // its memory stays bounded by what one window can hold.
      if all.count > 10_000 { all = all.filter { now - $0.value.windowStart < window } }
      var count = Count(windowStart: now, failures: 0)
      if let known = all[name], now - known.windowStart < window { count = known }
      count.failures += 1
      all[name] = count
      return count.failures >= limit ? count.windowStart + window : nil
    }
  }
}
