import Dispatch
import Foundation
import Synchronization

/// How a request failed before an HTTP answer came back.
public enum TransportFailure: Error, Equatable {
  /// The connection was never made: the request surely did not arrive.
  case notSent(String)
  /// No answer in time: it may have arrived.
  case timedOut
  /// The connection broke mid-way: it may have arrived.
  case lost(String)
}

/// The REST client's HTTP: one request in, one answer (or a `TransportFailure`) out, before
/// a deadline.
///
/// `http://` goes over our own sockets (`HTTPConnection`) with up to four idle connections
/// kept alive; `https://` goes through libcurl, loaded on first use (`CurlTransport`). Neither
/// links FoundationNetworking, whose libcurl and ~30 libraries would double the till's start
/// time for tills that never use https.
///
/// Each exchange blocks a thread of its own, never a cooperative one. Whatever comes first,
/// the answer or the deadline, decides: a late answer is dropped and its connection closed,
/// never pooled.
public final class HTTPTransport: Sendable {
  /// One request: `RESTClient`'s headers; the transport adds `Host`, `Content-Length` and
  /// `Connection`.
  public struct Request: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// Sending it twice does no harm (a read, a validation). Only such a request may go over
    /// a kept-alive connection, and be sent again when that connection turns out closed by
    /// the server before any byte of the answer; any other (a redeem) gets a fresh
    /// connection, so the server's closing of an idle one can never make its outcome
    /// unknown.
    public var isSafeToRepeat: Bool

    public init(
      method: String, url: URL, headers: [(name: String, value: String)], body: Data?,
      isSafeToRepeat: Bool
    ) {
      self.method = method
      self.url = url
      self.headers = headers
      self.body = body
      self.isSafeToRepeat = isSafeToRepeat
    }
  }

  /// An HTTP answer of any status.
  public struct Answer: Sendable, Equatable {
    public let status: Int
    public let body: Data
    /// `X-Voucher-Engine-Capabilities`, when the server sent it (not read over https).
    public var capabilities: String? = nil
  }

  /// Idle connections kept for the next request.
  static let idleLimit = 4
  /// An idle connection older than this is closed rather than reused: servers close idle
  /// connections after a while (libmicrohttpd here after 30 s), and racing that close would
  /// cost a read its retry.
  static let idleLifetime = Duration.seconds(20)

  /// `idleLifetime` unless a test gives another (a loaded test machine can pause a test
  /// for longer than 20 s between two reads that must share a connection).
  let idleLifetime: Duration
  let limits: HTTPConnection.Limits
  /// A PEM file of certificates to trust for https instead of the system's (tests).
  let trustedCertificates: String?
  private let idle = Mutex<[HTTPConnection]>([])
  private let curl: CurlTransport

  init(
    limits: HTTPConnection.Limits = .init(), trustedCertificates: String? = nil,
    idleLifetime: Duration = HTTPTransport.idleLifetime
  ) {
    self.limits = limits
    self.trustedCertificates = trustedCertificates
    self.idleLifetime = idleLifetime
    curl = CurlTransport(idleLimit: Self.idleLimit)
  }

  /// The transport every client of the till uses: default limits, the system's certificates.
  public convenience init() { self.init(limits: .init(), trustedCertificates: nil) }

  deinit {
    for connection in idle.withLock({ $0 }) { connection.close() }
  }

  /// Sends `request` and waits for its answer, at most `timeout` seconds.
  public func send(_ request: Request, timeout: TimeInterval) async -> Result<
    Answer, TransportFailure
  > {
    let deadline = ContinuousClock.now + .seconds(max(0, timeout))
    return await withCheckedContinuation { continuation in
      let race = FirstResult(continuation)
      Thread.detachNewThread { [self] in
        exchange(request, deadline: deadline, race: race)
      }
      // The exchange's own waits end at the deadline too, but a name lookup cannot be
      // bounded, nor a thread's start: the timer decides on time whatever the thread does.
      DispatchQueue.global().asyncAfter(deadline: .now() + max(0, timeout)) {
        race.resume(.failure(.timedOut))
      }
    }
  }

  /// One exchange, on its own thread.
  private func exchange(_ request: Request, deadline: ContinuousClock.Instant, race: FirstResult) {
    guard let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false),
      let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
      var host = components.percentEncodedHost, !host.isEmpty
    else {
      race.resume(.failure(.notSent("\(request.url) is not an http or https URL")))
      return
    }
    for (name, value) in request.headers
    where (name + value).utf8.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }) {
      race.resume(.failure(.notSent("the \(name) header holds a line break")))
      return
    }
    if scheme == "https" {
      curl.exchange(
        request, trustedCertificates: trustedCertificates, bodyLimit: limits.body,
        deadline: deadline, race: race)
      return
    }
    let port = components.port ?? 80
    let hostField = port == 80 ? host : "\(host):\(port)"
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    let target =
      (components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath)
      + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    let bytes = Self.serialize(request, target: target, host: hostField)

    var mayReuse = request.isSafeToRepeat
    while true {
      let pooled = mayReuse ? checkOut("\(host):\(port)") : nil
      var opened: HTTPConnection?
      do {
        let connection: HTTPConnection
        if let pooled {
          connection = pooled
        } else {
          connection = try HTTPConnection.open(host: host, port: port, deadline: deadline)
        }
        opened = connection
        try connection.write(bytes, until: deadline)
        let answer = try connection.readAnswer(
          method: request.method, limits: limits, until: deadline)
        let won = race.resume(
          .success(
            Answer(
              status: answer.status, body: Data(answer.body), capabilities: answer.capabilities))
        ) {
          // Back in the pool before the caller resumes, so its next request finds it.
          if answer.isReusable { self.checkIn(connection) } else { connection.close() }
        }
        if !won { connection.close() }
        return
      } catch {
        opened?.close()
        // A kept-alive connection the server had closed (not a byte of an answer came): the
        // request is safe to repeat, so it goes again, once, on a fresh connection.
        if pooled != nil {
          switch error {
          case .cannotSend, .closedBeforeAnswer:
            mayReuse = false
            continue
          default: break
          }
        }
        race.resume(.failure(Self.failure(error)))
        return
      }
    }
  }

  private static func failure(_ error: HTTPConnection.Failure) -> TransportFailure {
    switch error {
    case .cannotConnect(let reason), .cannotSend(let reason): .notSent(reason)
    case .timedOut: .timedOut
    case .closedBeforeAnswer(let reason), .badAnswer(let reason): .lost(reason)
    }
  }

  /// The request line, the header fields and the body, as sent.
  static func serialize(_ request: Request, target: String, host: String) -> [UInt8] {
    var head = "\(request.method) \(target) HTTP/1.1\r\nHost: \(host)\r\n"
    for (name, value) in request.headers { head += "\(name): \(value)\r\n" }
    if let body = request.body {
      head += "Content-Length: \(body.count)\r\n"
    } else if request.method != "GET" && request.method != "HEAD" {
      head += "Content-Length: 0\r\n"
    }
    head += "Connection: keep-alive\r\n\r\n"
    var bytes = Array(head.utf8)
    if let body = request.body { bytes += body }
    return bytes
  }

  // MARK: The idle pool

  /// The most recently used idle connection to `endpoint` that is still open; the stale
  /// ones met on the way are closed.
  private func checkOut(_ endpoint: String) -> HTTPConnection? {
    var stale: [HTTPConnection] = []
    let found = idle.withLock { connections -> HTTPConnection? in
      while let index = connections.lastIndex(where: { $0.endpoint == endpoint }) {
        let connection = connections.remove(at: index)
        if connection.idleSince.duration(to: .now) < idleLifetime, connection.isStillOpen {
          return connection
        }
        stale.append(connection)
      }
      return nil
    }
    for connection in stale { connection.close() }
    return found
  }

  private func checkIn(_ connection: HTTPConnection) {
    let evicted = idle.withLock { connections -> HTTPConnection? in
      connections.append(connection)
      return connections.count > Self.idleLimit ? connections.removeFirst() : nil
    }
    evicted?.close()
  }

  /// Idle connections (tests).
  var idleCount: Int { idle.withLock { $0.count } }
}

/// Resumes a continuation with the first result only: the exchange and the timer race.
final class FirstResult: Sendable {
  private let continuation:
    Mutex<CheckedContinuation<Result<HTTPTransport.Answer, TransportFailure>, Never>?>

  init(_ continuation: CheckedContinuation<Result<HTTPTransport.Answer, TransportFailure>, Never>) {
    self.continuation = Mutex(continuation)
  }

  /// Resumes with `value` unless a result came first; `beforeResuming` runs only when this
  /// one wins, before the waiting task goes on. Returns whether it won.
  @discardableResult
  func resume(
    _ value: Result<HTTPTransport.Answer, TransportFailure>, beforeResuming: () -> Void = {}
  ) -> Bool {
    guard let pending = continuation.withLock({ $0.take() }) else { return false }
    beforeResuming()
    pending.resume(returning: value)
    return true
  }
}
