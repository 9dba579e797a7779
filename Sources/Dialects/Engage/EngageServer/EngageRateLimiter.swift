import Foundation
import Synchronization

/// Requests per second per API key, as Engage counts them (per key, not per tenant): a
/// bucket of `rate` tokens per key, refilled continuously, so a burst of up to `rate`
/// requests passes and a steady `rate` per second passes; beyond it, 429.
final class EngageRateLimiter: Sendable {
  let rate: Int
  private let buckets = Mutex<[String: (tokens: Double, at: ContinuousClock.Instant)]>([:])

  /// The time the buckets refill by (tests stop it, so that a count decides, not speed).
  private let clock: @Sendable () -> ContinuousClock.Instant

  init(rate: Int, clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
    self.rate = max(1, rate)
    self.clock = clock
  }

  /// Takes one token for `key`; false when none is left.
  func admits(_ key: String) -> Bool {
    let now = clock()
    return buckets.withLock { buckets in
      let capacity = Double(rate)
      var bucket = buckets[key] ?? (capacity, now)
      let elapsed = now - bucket.at
      let seconds =
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
      bucket.tokens = min(capacity, bucket.tokens + seconds * capacity)
      bucket.at = now
      let admitted = bucket.tokens >= 1
      if admitted { bucket.tokens -= 1 }
      buckets[key] = bucket
      return admitted
    }
  }
}
