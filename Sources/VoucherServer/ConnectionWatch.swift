import Foundation
import Synchronization

/// Where one connection is in its request cycle, and since when. libmicrohttpd times a
/// connection out only when it sends nothing, so one that trickles a byte a second is never
/// closed, and it has no way to close idle keep-alive connections when the server is full or
/// stopping. The watch keeps these phases, and ends a connection by shutting its socket down,
/// which wakes the connection's own poll and makes libmicrohttpd close it as if the client
/// had gone.
final class ConnectionState: Sendable {
  enum Phase: Sendable, Equatable {
    /// Between requests, or before the first request line is complete.
    case idle
    /// The request line is in; the headers are not yet complete.
    case headers
    /// The headers are in; the body is being read.
    case body
    /// The handler runs (a redemption may be committing): never ended from outside.
    case handling
    /// The answer is queued and being written.
    case responding
  }

  private struct Inner {
    var phase = Phase.idle
    var since = ContinuousClock.now
    var ended = false
    var target: String?
  }

  let fd: Int32
  let address: String
  /// The socket's inode: a descriptor number libmicrohttpd has closed may already belong to
  /// another socket of this process (a client's, in a test), which must never be shut down.
  private let inode: UInt64
  private let inner = Mutex(Inner())

  init(fd: Int32, address: String) {
    self.fd = fd
    self.address = address
    var info = stat()
    inode = fstat(fd, &info) == 0 ? UInt64(info.st_ino) : 0
  }

  var phase: (phase: Phase, since: ContinuousClock.Instant) {
    inner.withLock { ($0.phase, $0.since) }
  }

  /// A request line arrived with this target (as sent, before decoding).
  func requestLine(_ target: String) {
    inner.withLock {
      $0.phase = .headers
      $0.since = .now
      $0.target = target
    }
  }

  /// The headers are complete: moves to `body` and hands over the target.
  func headersComplete() -> String? {
    inner.withLock { inner in
      inner.phase = .body
      inner.since = .now
      let target = inner.target
      inner.target = nil
      return target
    }
  }

  func enter(_ phase: Phase) {
    inner.withLock {
      $0.phase = phase
      $0.since = .now
    }
  }

  /// Shuts the socket down when `condition` holds for the current phase; true if it did.
  /// Under the same lock as `closed()`, so a socket libmicrohttpd has closed (and whose
  /// number may belong to a new connection) is never touched.
  @discardableResult
  func end(if condition: (Phase, ContinuousClock.Instant) -> Bool) -> Bool {
    inner.withLock {
      guard !$0.ended, condition($0.phase, $0.since) else { return false }
      $0.ended = true
      var info = stat()
      guard inode != 0, fstat(fd, &info) == 0, UInt64(info.st_ino) == inode else { return false }
      shutdown(fd, Int32(SHUT_RDWR))
      return true
    }
  }

  /// libmicrohttpd is closing the connection.
  func closed() {
    inner.withLock { $0.ended = true }
  }
}

/// Every open connection, the deadlines, and the closing of idle connections when the
/// server is nearly full or stopping.
final class ConnectionWatch: Sendable {
  private let connections = Mutex<[ObjectIdentifier: ConnectionState]>([:])
  private let options: HTTPServerOptions
  private let running = Atomic<Bool>(true)
  private let finished = Atomic<Bool>(false)
  /// Connections ended by the watch, by cause (for tests and the log).
  let endedPastDeadline = Atomic<Int>(0)
  let endedIdleNearLimit = Atomic<Int>(0)
  let refusedOverAddressLimit = Atomic<Int>(0)

  init(options: HTTPServerOptions) {
    self.options = options
  }

  var count: Int { connections.withLock { $0.count } }

  /// Room kept free below the overall limit: a closed connection leaves libmicrohttpd's
  /// count only when its thread has cleaned up, which lags on a loaded machine.
  private var reserve: Int { max(1, min(64, max(1, options.maxConnections) / 16)) }

  /// Above this many connections, the longest-idle ones are closed, down to a reserve
  /// further below, to make room.
  var highWater: Int { max(1, options.maxConnections) - reserve }

  /// A new connection: over the limit per address, that address's longest-idle connection
  /// is closed to make room (or, with none idle, the new one); near the overall limit, the
  /// longest-idle connections of any address are. Idle keep-alive connections lose nothing
  /// by it: a till whose idle connection is closed opens a new one. libmicrohttpd's own
  /// per-address limit refused the new connection instead, which failed a till that opens a
  /// fresh connection per redemption while its earlier ones were still being closed.
  func opened(_ state: ConnectionState) {
    let perAddress = options.perAddressLimit
    let (victims, refuseNew) = connections.withLock {
      all -> ([ConnectionState], Bool) in
      all[ObjectIdentifier(state)] = state
      var victims: [ConnectionState] = []
      var refuseNew = false
      if perAddress > 0 {
        let same = all.values.filter { $0.address == state.address && $0 !== state }
        if same.count >= perAddress {
          let idle = same.filter { $0.phase.phase == .idle }
            .sorted { $0.phase.since < $1.phase.since }
          if idle.isEmpty {
            refuseNew = true
          } else {
            victims += idle.prefix(same.count + 1 - perAddress)
          }
        }
      }
      let total = all.count - victims.count - (refuseNew ? 1 : 0)
      if total > highWater {
        let target = max(0, highWater - reserve)
        let chosen = Set(victims.map(ObjectIdentifier.init))
        victims += all.values.filter {
          $0.phase.phase == .idle && $0 !== state && !chosen.contains(ObjectIdentifier($0))
        }
        .sorted { $0.phase.since < $1.phase.since }
        .prefix(total - target)
      }
      return (victims, refuseNew)
    }
    for victim in victims where victim.end(if: { phase, _ in phase == .idle }) {
      endedIdleNearLimit.add(1, ordering: .relaxed)
    }
    if refuseNew, state.end(if: { _, _ in true }) {
      refusedOverAddressLimit.add(1, ordering: .relaxed)
    }
  }

  func closed(_ state: ConnectionState) {
    state.closed()
    _ = connections.withLock { $0.removeValue(forKey: ObjectIdentifier(state)) }
  }

  private var snapshot: [ConnectionState] { connections.withLock { Array($0.values) } }

  /// Ends every connection whose phase and age satisfy `condition`; returns how many.
  @discardableResult
  func end(where condition: (ConnectionState.Phase, Duration) -> Bool) -> Int {
    let now = ContinuousClock.now
    var ended = 0
    for state in snapshot where state.end(if: { condition($0, now - $1) }) { ended += 1 }
    return ended
  }

  /// True while some connection is in one of `phases`.
  func any(_ phases: Set<ConnectionState.Phase>) -> Bool {
    snapshot.contains { phases.contains($0.phase.phase) }
  }

  /// One pass of the deadlines: the request line within the idle timeout of the previous
  /// answer (or the connection's start), the headers within `headerTimeout` of the request
  /// line, the body within `bodyTimeout` of the headers.
  func enforceDeadlines() {
    let idle = Duration.seconds(max(1, options.connectionTimeout))
    let headers = Duration.milliseconds(Int64(options.headerTimeout * 1000))
    let body = Duration.milliseconds(Int64(options.bodyTimeout * 1000))
    let ended = end { phase, age in
      switch phase {
      case .idle: age > idle
      case .headers: age > headers
      case .body: age > body
      case .handling, .responding: false
      }
    }
    endedPastDeadline.add(ended, ordering: .relaxed)
  }

  /// Runs the deadlines every 100 ms on a thread of its own until `stop()`.
  func start() {
    let thread = Thread { [self] in
      while running.load(ordering: .acquiring) {
        enforceDeadlines()
        usleep(100_000)
      }
      finished.store(true, ordering: .releasing)
    }
    thread.name = "serve.watch"
    thread.start()
  }

  func stop() {
    running.store(false, ordering: .releasing)
    while !finished.load(ordering: .acquiring) { usleep(1_000) }
  }
}
