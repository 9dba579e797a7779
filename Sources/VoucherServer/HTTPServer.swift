import CMicroHTTPD
import Foundation
import Synchronization

/// One HTTP request as the handler sees it: the whole body already read.
public struct HTTPRequest: Sendable {
  public var method: String
  /// The decoded path, without the query string.
  public var path: String
  /// Header lookup (case-insensitive) and query lookup, answered by libmicrohttpd.
  public var header: @Sendable (String) -> String?
  public var query: @Sendable (String) -> String?
  public var body: Data
  /// Our id for the request, echoed in `X-Request-Id` and in error objects.
  public var requestId: String
  /// Every query argument in order, repeated names included (`ids=a&ids=b`): for routes
  /// that take lists and refuse names they do not know.
  public var queryItems: @Sendable () -> [(name: String, value: String)] = { [] }
}

/// One HTTP answer.
public struct HTTPResponse: Sendable {
  public var status: Int
  public var body: Data
  public var contentType: String = "application/json; charset=utf-8"
  /// Written to the access log (never a token).
  public var appId: String?
  /// Headers sent besides Content-Type and X-Request-Id.
  public var headers: [(name: String, value: String)] = []

  public init(status: Int, body: Data, appId: String? = nil) {
    self.status = status
    self.body = body
    self.appId = appId
  }
}

/// Limits and sizes of the HTTP layer.
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
  /// Seconds an idle connection is kept.
  public var connectionTimeout: Int = 30
  /// Bytes of buffer per connection: the request line and headers must fit (431 beyond).
  /// libmicrohttpd clears this buffer for every request: at 64 KiB that was a fifth of a
  /// validation's instructions. 16 KiB still holds headers twice nginx's default limit.
  public var connectionMemoryLimit: Int = 16 * 1024
  /// Largest request body; a larger one is answered 413.
  public var bodyLimit: Int = 1024 * 1024
  /// Connections allowed per client address; 0 means no limit.
  public var perAddressLimit: Int = 0
  /// Seconds a graceful stop waits for requests in flight.
  public var drainTimeout: TimeInterval = 10

  public init() {}
}

/// Why the server could not start.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable {
  public let description: String
}

/// An HTTP/1.1 server on libmicrohttpd's thread pool. The handler is synchronous and runs on
/// a pool thread; every request gets one call with the complete body.
public final class HTTPServer: Sendable {
  /// The address actually bound.
  public let host: String
  public let port: Int
  private let daemon: Mutex<OpaquePointer?>
  private let context: ServerContext

  /// Binds `host:port` (port 0 picks a free one) and starts serving.
  ///
  /// - Throws: `HTTPServerError` when the address is invalid or the port is taken.
  public init(
    host: String, port: Int, options: HTTPServerOptions = HTTPServerOptions(),
    handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
  ) throws {
    guard (0...65535).contains(port) else {
      throw HTTPServerError(description: "port \(port) is outside 0–65535")
    }
    let context = ServerContext(options: options, handler: handler)
    let pointer = Unmanaged.passUnretained(context).toOpaque()
    guard
      let started = mhd_start(
        host, UInt16(port), UInt32(max(0, options.threads)),
        UInt32(max(1, options.connectionTimeout)), options.connectionMemoryLimit,
        UInt32(max(0, options.perAddressLimit)), mhdAccessHandler, pointer, mhdRequestCompleted,
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
  }

  /// Requests being handled or answered right now.
  public var requestsInFlight: Int { context.inFlight.load(ordering: .acquiring) }

  /// Stops accepting connections, waits (up to the drain timeout) for requests in flight to
  /// be answered, then shuts down. Safe to call more than once.
  public func stop() {
    guard
      let running = daemon.withLock({ value -> OpaquePointer? in
        defer { value = nil }
        return value
      })
    else { return }
    let listener = MHD_quiesce_daemon(running)
    let deadline = Date().addingTimeInterval(context.options.drainTimeout)
    while context.inFlight.load(ordering: .acquiring) > 0, Date() < deadline {
      usleep(5_000)
    }
    MHD_stop_daemon(running)
    if listener >= 0 { close(listener) }
  }

  deinit { stop() }
}

/// What the C callbacks reach through their context pointer; lives as long as the server.
final class ServerContext: Sendable {
  let options: HTTPServerOptions
  let handler: @Sendable (HTTPRequest) -> HTTPResponse
  let inFlight = Atomic<Int>(0)

  init(options: HTTPServerOptions, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
    self.options = options
    self.handler = handler
  }
}

/// The state of one request between libmicrohttpd's calls: the body so far. Only the
/// connection's own thread touches it.
final class RequestState {
  var body = Data()
  var tooLarge = false
  let requestId = randomToken(prefix: "req_", length: 16)
}

/// `prefix` and random lower-case letters and digits, for request ids. Draws 64 random bits
/// per 12 characters (36¹² < 2⁶⁴), all of them in one call into the kernel: a call per
/// character, and later per 64 bits, was a system call each, for every request. The text is
/// written into the string's own storage, one allocation.
func randomToken(prefix: StaticString, length: Int) -> String {
  let alphabet: StaticString = "0123456789abcdefghijklmnopqrstuvwxyz"
  return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: (length + 11) / 12) { words in
    // glibc's `arc4random_buf` reads the kernel's random source, as the standard generator
    // does, but fills the whole buffer in one call.
    arc4random_buf(words.baseAddress!, words.count * 8)
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
