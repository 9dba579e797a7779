import CMicroHTTPD
import Foundation
import Synchronization
import VoucherEngine

/// One HTTP request as the handler sees it: the whole body already read.
public struct HTTPRequest: Sendable {
  public var method: String
  /// The decoded path, without the query string.
  public var path: String
  /// The request target as sent (for the log, which escapes and shortens it).
  public var target: String
  /// False when the target's percent escapes are malformed or do not decode to UTF-8.
  public var targetIsValid: Bool = true
  /// Header lookup (case-insensitive), answered by libmicrohttpd.
  public var header: @Sendable (String) -> String?
  public var body: Data
  /// Our id for the request, echoed in `X-Request-Id` and in error objects.
  public var requestId: String
  /// Every query argument in order, repeated names included (`ids=a&ids=b`), decoded from
  /// the target as sent: for routes that take lists and refuse names they do not know.
  public var queryItems: @Sendable () -> [(name: String, value: String)] = { [] }
  /// The client's address as text (`127.0.0.1`), for limits per address.
  public var clientAddress: String = ""

  /// The first value of query parameter `name`.
  public func query(_ name: String) -> String? {
    queryItems().first { $0.name == name }?.value
  }
}

extension HTTPRequest {
  /// A request for `target` as sent, its path and query decoded by `RequestTarget`: the one
  /// way the server makes a request, from libmicrohttpd's connection or from a fuzzer's bytes.
  init(
    method: String, target: String, header: @escaping @Sendable (String) -> String?,
    body: Data, requestId: String, clientAddress: String
  ) {
    let decoded = RequestTarget(target)
    self.init(
      method: method, path: decoded.path, target: target, header: header, body: body,
      requestId: requestId)
    targetIsValid = decoded.isValid
    queryItems = { [items = decoded.query] in items }
    self.clientAddress = clientAddress
  }
}

/// One HTTP answer.
public struct HTTPResponse: Sendable {
  public var status: Int
  public var body: Data
  public var contentType: String = "application/json; charset=utf-8"
  /// Written to the access log (never a token).
  public var appId: String?
  /// Headers sent besides Content-Type and X-Request-Id (`Retry-After`, rate limits).
  public var headers: [(name: String, value: String)] = []
  /// Sends `Connection: close` and closes the connection after this answer.
  public var closesConnection = false

  public init(status: Int, body: Data, appId: String? = nil) {
    self.status = status
    self.body = body
    self.appId = appId
  }
}

/// Limits and sizes of the HTTP layer. The defaults are documented in `serve --help` and the
/// README; each has a `serve` flag.
public struct HTTPServerOptions: Sendable {
  /// 0 (the default): every connection gets a thread of its own. N: a pool of N polling
  /// threads, each handling its connections' requests one at a time.
  ///
  /// A redemption holds its thread until its batch is on disk. In a pool, that also holds
  /// every other connection the thread polls, and connections land on threads unevenly:
  /// 16 tills on 16 pool threads left some threads with two or three tills queued behind
  /// each other's commits. A thread per connection lets every till join the next group
  /// commit: on the bench's quick data, HTTP redemptions at 16 connections went from
  /// 4,000–5,000/s (p99 9.5–14 ms) to 5,100–6,800/s (p99 6–8 ms), in interleaved runs.
  /// Idle keep-alive connections cost a sleeping thread each; a server for thousands of
  /// connections can use a pool.
  public var threads: Int = 0
  /// Seconds a connection may go without starting a request (idle keep-alive, or a
  /// request line that trickles in) before it is closed.
  public var connectionTimeout: Int = 30
  /// Seconds from a request line to the end of its headers.
  public var headerTimeout: Double = 10
  /// Seconds from the end of the headers to the end of the body.
  public var bodyTimeout: Double = 30
  /// Bytes of buffer per connection: the request line and headers must fit (431 beyond).
  /// libmicrohttpd clears this buffer for every request: at 64 KiB that was a fifth of a
  /// validation's instructions. 16 KiB still holds headers twice nginx's default limit.
  public var connectionMemoryLimit: Int = 16 * 1024
  /// Largest request body; a larger one is answered 413.
  public var bodyLimit: Int = 1024 * 1024
  /// Connections open at once in all. Near it, the longest-idle keep-alive connections are
  /// closed to make room; at it, new connections are refused.
  public var maxConnections: Int = 1000
  /// Connections open at once from one client address; 0 means no limit. One address
  /// opening a thousand connections (idle or trickling) once left no room for any other
  /// till.
  public var perAddressLimit: Int = 64
  /// Seconds a graceful stop waits for requests in flight before it ends those that have
  /// not reached their handler (a stalled upload); handlers already running always finish
  /// and are answered.
  public var drainTimeout: TimeInterval = 10

  public init() {}
}

/// Why the server could not start.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
  public let description: String
}

/// An HTTP/1.1 server on libmicrohttpd. The handler is synchronous and runs on the
/// connection's thread; every request gets one call with the complete body.
public final class HTTPServer: Sendable {
  /// The address actually bound.
  public let host: String
  public let port: Int
  private let daemon: Mutex<OpaquePointer?>
  private let context: ServerContext

  /// Binds `host:port` (port 0 picks a free one) and starts serving.
  ///
  /// - Parameter accessLog: where one line per answered request goes (escaped and bounded).
  /// - Throws: `HTTPServerError` when the address is invalid or the port is taken.
  public init(
    host: String, port: Int, options: HTTPServerOptions = HTTPServerOptions(),
    accessLog: AccessLog = .none,
    handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
  ) throws {
    guard (0...65535).contains(port) else {
      throw HTTPServerError(description: "port \(port) is outside 0–65535")
    }
    let context = ServerContext(options: options, accessLog: accessLog, handler: handler)
    let pointer = Unmanaged.passUnretained(context).toOpaque()
    guard
      let started = mhd_start(
        host, UInt16(port), UInt32(max(0, options.threads)),
        UInt32(max(1, options.connectionTimeout)), options.connectionMemoryLimit,
        // The limit per address is the watch's (it closes idle connections first).
        UInt32(max(1, options.maxConnections)), 0,
        mhdAccessHandler, pointer, mhdRequestCompleted, mhdConnectionNotified, mhdRequestLine,
        pointer)
    else {
      throw HTTPServerError(
        description: "cannot listen on \(host):\(port) (an IPv4 address and a free port are needed)"
      )
    }
    self.context = context
    self.host = host
    self.port = Int(mhd_bound_port(started))
    daemon = Mutex(started)
    context.watch.start()
  }

  /// Requests being handled or answered right now.
  public var requestsInFlight: Int { context.inFlight.load(ordering: .acquiring) }

  /// Connections open right now.
  public var openConnections: Int { context.watch.count }

  /// Connections the server ended: past a deadline, or idle when the server was nearly full.
  public var connectionsEnded: (pastDeadline: Int, idleNearLimit: Int) {
    (
      context.watch.endedPastDeadline.load(ordering: .relaxed),
      context.watch.endedIdleNearLimit.load(ordering: .relaxed)
    )
  }

  /// Stops accepting connections and lets no connection start a new request: idle ones and
  /// ones still sending headers are closed (nothing of theirs has run), and headers that
  /// complete now get 503 and `Connection: close`. Answers every request whose headers
  /// were in; after the drain timeout ends those that have not reached their handler (a
  /// stalled upload); waits for the handlers already running, whose answers always go out;
  /// then shuts down. Safe to call more than once.
  public func stop() {
    guard
      let running = daemon.withLock({ value -> OpaquePointer? in
        defer { value = nil }
        return value
      })
    else { return }
    context.draining.store(true, ordering: .releasing)
    let listener = MHD_quiesce_daemon(running)
    // Closed now, not after the drain, so a new connection is refused at once instead of
    // waiting in the backlog until the process exits.
    if listener >= 0 { close(listener) }
    let watch = context.watch
    let deadline = ContinuousClock.now + .milliseconds(Int64(context.options.drainTimeout * 1000))
    repeat {
      // Idle keep-alive connections (including any that went idle after their last answer)
      // and requests still sending their headers, which would only get a 503: neither has
      // run anything, and neither holds the stop.
      watch.end { phase, _ in phase == .idle || phase == .headers }
      if !watch.any([.body, .handling, .responding]) { break }
      usleep(2_000)
    } while ContinuousClock.now < deadline
    // Past the bound, nothing that has not reached its handler holds the stop.
    watch.end { phase, _ in phase != .handling }
    // A handler is an engine call, bounded by the store's own timeouts; the second bound
    // only keeps a stop from hanging on a store that never answers.
    let handlers = ContinuousClock.now + .milliseconds(Int64(context.options.drainTimeout * 1000))
    while watch.any([.handling]), ContinuousClock.now < handlers {
      usleep(2_000)
      watch.end { phase, _ in phase != .handling }
    }
    // An answer just queued gets a moment to be written before the sockets close.
    let flush = ContinuousClock.now + .seconds(1)
    while watch.any([.responding]), ContinuousClock.now < flush { usleep(2_000) }
    watch.stop()
    MHD_stop_daemon(running)
  }

  deinit { stop() }
}

/// What the C callbacks reach through their context pointer; lives as long as the server.
final class ServerContext: Sendable {
  let options: HTTPServerOptions
  let accessLog: AccessLog
  let handler: @Sendable (HTTPRequest) -> HTTPResponse
  let inFlight = Atomic<Int>(0)
  let draining = Atomic<Bool>(false)
  let watch: ConnectionWatch

  init(
    options: HTTPServerOptions, accessLog: AccessLog,
    handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
  ) {
    self.options = options
    self.accessLog = accessLog
    self.handler = handler
    watch = ConnectionWatch(options: options)
  }
}

/// The state of one request between libmicrohttpd's calls: the body so far. Only the
/// connection's own thread touches it.
final class RequestState {
  var body = Data()
  var tooLarge = false
  /// Bytes dropped after the body passed its limit.
  var dropped = 0
  let requestId = randomToken(prefix: "req_", length: 16)
  let target: String
  let started = ContinuousClock.now
  let connection: ConnectionState?

  init(target: String, connection: ConnectionState?) {
    self.target = target
    self.connection = connection
  }
}

/// `prefix` and random lower-case letters and digits, for request ids. Draws 64 random bits
/// per 12 characters (36¹² < 2⁶⁴), all of them in one call into the kernel: a call per
/// character, and later per 64 bits, was a system call each, for every request. The text is
/// written into the string's own storage, one allocation.
func randomToken(prefix: StaticString, length: Int) -> String {
  let alphabet: StaticString = "0123456789abcdefghijklmnopqrstuvwxyz"
  return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: (length + 11) / 12) { words in
    for index in 0..<words.count { words[index] = BufferedRandom.next() }
    let start = prefix.utf8CodeUnitCount
    return String(unsafeUninitializedCapacity: start + length) { text in
      text.baseAddress!.update(from: prefix.utf8Start, count: start)
      var bits: UInt64 = 0
      for index in 0..<length {
        if index % 12 == 0 { bits = words[index / 12] }
        text[start + index] = alphabet.utf8Start[Int(bits % 36)]
        bits /= 36
      }
      return start + length
    }
  }
}
