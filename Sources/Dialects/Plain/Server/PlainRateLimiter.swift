import Foundation
import Synchronization

/// How many requests one key may make per window, per kind of route. The defaults are the
/// plain API's: GET 100, `POST /vouchers` 50, validate 200, apply 100 a minute. `PUT` and
/// `DELETE` count with `POST /vouchers`, as writes to vouchers.
public struct PlainRateLimits: Sendable, Equatable {
  public enum Route: String, Sendable, CaseIterable {
    case read, write, validate, apply
  }

  public var read = 100
  public var write = 50
  public var validate = 200
  public var apply = 100
  /// Seconds per window.
  public var window = 60

  public init() {}

  public func limit(_ route: Route) -> Int {
    switch route {
    case .read: read
    case .write: write
    case .validate: validate
    case .apply: apply
    }
  }

  /// `READ,WRITE,VALIDATE,APPLY` (serve's `--plain-rate-limits`); nil when malformed.
  public static func parse(_ text: String, window: Int = 60) -> PlainRateLimits? {
    let numbers = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard numbers.count == 4, numbers.allSatisfy({ ($0 ?? 0) >= 1 }), (1...3600).contains(window)
    else { return nil }
    var limits = PlainRateLimits()
    limits.read = numbers[0]!
    limits.write = numbers[1]!
    limits.validate = numbers[2]!
    limits.apply = numbers[3]!
    limits.window = window
    return limits
  }
}

/// Fixed windows per (key, route): the first request opens a window of `window` seconds;
/// past its limit a request is refused until the window ends.
final class PlainRateLimiter: Sendable {
  struct Verdict: Equatable {
    let allowed: Bool
    let limit: Int
    let remaining: Int
    /// Unix seconds when the window ends.
    let reset: Int64
  }

  let limits: PlainRateLimits
  private let windows = Mutex<[String: (start: Int64, count: Int)]>([:])

  init(limits: PlainRateLimits) {
    self.limits = limits
  }

  func admit(appId: String, route: PlainRateLimits.Route, now: Date = Date()) -> Verdict {
    let limit = limits.limit(route)
    let second = Int64(now.timeIntervalSince1970.rounded(.down))
    let window = Int64(limits.window)
    return windows.withLock { windows in
      let key = appId + " " + route.rawValue
      var entry = windows[key] ?? (second, 0)
      if second >= entry.start + window { entry = (second, 0) }
      let allowed = entry.count < limit
      if allowed { entry.count += 1 }
      windows[key] = entry
      return Verdict(
        allowed: allowed, limit: limit, remaining: max(0, limit - entry.count),
        reset: entry.start + window)
    }
  }
}
