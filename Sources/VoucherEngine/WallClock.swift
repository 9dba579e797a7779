import Foundation
import Synchronization

/// Where the engine reads the current time; injected so tests control it.
public protocol WallClock: Sendable {
  /// The current instant.
  func now() -> Date
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
  public init() {}
  public func now() -> Date { Date() }
}

/// A clock that moves only when told to: for tests and for replaying history.
public final class ManualClock: WallClock {
  private let current: Mutex<Date>

  /// Creates a clock standing at `start`.
  public init(_ start: Date = Date(timeIntervalSince1970: 1_790_000_000)) {
    current = Mutex(start)
  }

  public func now() -> Date { current.withLock { $0 } }

  /// Moves the clock to `date`.
  public func set(_ date: Date) { current.withLock { $0 = date } }

  /// Moves the clock forward by `seconds`.
  public func advance(by seconds: TimeInterval) {
    current.withLock { $0 = $0.addingTimeInterval(seconds) }
  }
}
