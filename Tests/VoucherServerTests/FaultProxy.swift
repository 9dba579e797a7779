import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A TCP proxy on 127.0.0.1 in front of a real server, that does to chosen requests what a
/// network or a gateway does: drops the connection after the server answered, answers a
/// gateway's 5xx or a body that is not JSON (with or without passing the request on), holds
/// the request or the answer until told, and goes down and comes back on the same port.
/// It counts what it passed on, so a test can tell "the server never saw it" from "the
/// answer was lost".
final class FaultProxy: Sendable {
  /// What happens to a request a rule matches.
  enum Fault: Sendable, Equatable {
    case pass
    /// Passed on and answered by the server; the client's connection is closed instead.
    case dropAnswer
    /// Passed on; the client gets `status` from the "gateway", an HTML page.
    case statusAfterServer(Int)
    /// Never passed on; the client gets `status`, an HTML page.
    case statusInstead(Int)
    /// Passed on; the client gets 200 with this body (not JSON).
    case bodyAfterServer(String)
    /// Passed on at once; the server's answer is held until `release()`.
    case holdAnswer
    /// Held until `release()`, then passed on (its answer goes to the client if it still
    /// listens).
    case holdRequest
  }

  let port: Int
  let upstreamPort: Int
  private let state = Mutex<State>(State())

  private struct Rule {
    let method: String
    let pathPrefix: String
    let fault: Fault
  }

  private struct State {
    var rules: [Rule] = []
    var listener: Int32 = -1
    /// Bumped by `stop()`: an accept loop of an older generation ends.
    var generation = 0
    var open: Set<Int32> = []
    var released = false
    /// "METHOD path" of every request passed on, and of every answer the server gave.
    var passedOn: [String] = []
    var answered: [String] = []
  }

  /// Listens on an ephemeral port of 127.0.0.1 and passes every request to `upstreamPort`.
  init(upstreamPort: Int) throws {
    self.upstreamPort = upstreamPort
    let (listener, port) = try Self.listen(port: 0)
    self.port = port
    state.withLock { $0.listener = listener }
    startAccepting(listener, generation: 0)
  }

  deinit { stop() }

  var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

  /// From now on, `fault` for requests of `method` whose path starts with `pathPrefix`
  /// (the first rule that matches decides).
  func set(_ fault: Fault, _ method: String, _ pathPrefix: String) {
    state.withLock {
      $0.rules.removeAll { $0.method == method && $0.pathPrefix == pathPrefix }
      $0.rules.insert(Rule(method: method, pathPrefix: pathPrefix, fault: fault), at: 0)
      if fault == .holdAnswer || fault == .holdRequest { $0.released = false }
    }
  }

  /// Every request passed on as it is, and nothing held any more.
  func clear() {
    state.withLock {
      $0.rules = []
      $0.released = true
    }
  }

  /// Lets held requests and answers go.
  func release() { state.withLock { $0.released = true } }

  /// How many requests of `method` on paths starting with `pathPrefix` were passed on to the
  /// server, and how many of those it answered.
  func passedOn(_ method: String, _ pathPrefix: String) -> Int {
    state.withLock { $0.passedOn.filter { $0.hasPrefix("\(method) \(pathPrefix)") }.count }
  }

  func answered(_ method: String, _ pathPrefix: String) -> Int {
    state.withLock { $0.answered.filter { $0.hasPrefix("\(method) \(pathPrefix)") }.count }
  }

  /// The endpoint goes down: the port refuses connections and open ones are cut.
  func stop() {
    state.withLock { state in
      guard state.listener >= 0 else { return }
      state.generation += 1
      // shutdown, not close: the threads blocked on these sockets wake up and close them.
      shutdown(state.listener, Int32(SHUT_RDWR))
      close(state.listener)
      state.listener = -1
      for socket in state.open { shutdown(socket, Int32(SHUT_RDWR)) }
    }
  }

  /// The endpoint is back, on the same port.
  func start() throws {
    let (listener, _) = try Self.listen(port: port)
    let generation = state.withLock {
      $0.listener = listener
      return $0.generation
    }
    startAccepting(listener, generation: generation)
  }

  // MARK: Sockets

  private static func listen(port: Int) throws -> (Int32, Int) {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var yes: Int32 = 1
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, length) == 0 && Glibc.listen(listener, 64) == 0
          && getsockname(listener, $0, &length) == 0
      }
    }
    guard bound else {
      close(listener)
      throw CocoaError(.fileWriteUnknown)
    }
    return (listener, Int(UInt16(bigEndian: address.sin_port)))
  }

  private func startAccepting(_ listener: Int32, generation: Int) {
    Thread.detachNewThread { [self] in
      while state.withLock({ $0.generation == generation }) {
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 100) > 0 else { continue }
        let client = accept(listener, nil, nil)
        guard client >= 0 else { continue }
        let admitted = state.withLock { state in
          guard state.generation == generation else { return false }
          state.open.insert(client)
          return true
        }
        guard admitted else {
          close(client)
          return
        }
        Thread.detachNewThread { [self] in
          serve(client)
          state.withLock { _ = $0.open.remove(client) }
          close(client)
        }
      }
    }
  }

  /// One client connection: its requests in turn, until it closes or a fault closes it.
  private func serve(_ client: Int32) {
    var buffer: [UInt8] = []
    while let request = Self.readMessage(client, &buffer) {
      let line = String(decoding: request.head.prefix { $0 != 13 }, as: UTF8.self)
      let words = line.split(separator: " ")
      guard words.count >= 2 else { return }
      let method = String(words[0])
      let path = String(words[1].prefix { $0 != "?" })
      let name = "\(method) \(path)"
      let fault = state.withLock { state in
        state.rules.first { $0.method == method && path.hasPrefix($0.pathPrefix) }?.fault
      }
      switch fault ?? .pass {
      case .pass:
        guard let answer = forward(request.bytes, name) else { return }
        guard Self.write(client, answer) else { return }
      case .dropAnswer:
        _ = forward(request.bytes, name)
        return
      case .statusAfterServer(let status):
        _ = forward(request.bytes, name)
        _ = Self.write(client, Self.page(status))
        return
      case .statusInstead(let status):
        _ = Self.write(client, Self.page(status))
        return
      case .bodyAfterServer(let body):
        _ = forward(request.bytes, name)
        _ = Self.write(client, Self.page(200, body: body))
        return
      case .holdAnswer:
        let answer = forward(request.bytes, name)
        waitForRelease()
        guard let answer, Self.write(client, answer) else { return }
      case .holdRequest:
        waitForRelease()
        guard let answer = forward(request.bytes, name) else { return }
        guard Self.write(client, answer) else { return }
      }
    }
  }

  private func waitForRelease() {
    let deadline = Date().addingTimeInterval(60)
    while !state.withLock({ $0.released }), Date() < deadline { usleep(5_000) }
  }

  /// The request sent to the server on a connection of its own, and the server's answer.
  private func forward(_ request: [UInt8], _ name: String) -> [UInt8]? {
    state.withLock { $0.passedOn.append(name) }
    let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    defer { close(upstream) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(upstreamPort).bigEndian)
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0, Self.write(upstream, request) else { return nil }
    var buffer: [UInt8] = []
    guard let answer = Self.readMessage(upstream, &buffer) else { return nil }
    state.withLock { $0.answered.append(name) }
    return answer.bytes
  }

  /// A gateway's own page: HTML, and the connection closed after it.
  private static func page(_ status: Int, body: String? = nil) -> [UInt8] {
    let text = body ?? "<html><body><h1>\(status) from the gateway</h1></body></html>"
    return Array(
      ("HTTP/1.1 \(status) Gateway\r\nContent-Type: text/html\r\nContent-Length: \(text.utf8.count)\r\n"
        + "Connection: close\r\n\r\n" + text).utf8)
  }

  private static func write(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if sent <= 0 { return false }
      offset += sent
    }
    return true
  }

  /// One HTTP message (head and its Content-Length body) from `socket`, or nil when it
  /// closes first. Bytes past the message stay in `buffer` for the next one.
  private static func readMessage(_ socket: Int32, _ buffer: inout [UInt8]) -> (
    head: [UInt8], bytes: [UInt8]
  )? {
    let separator: [UInt8] = [13, 10, 13, 10]
    func fill() -> Bool {
      var chunk = [UInt8](repeating: 0, count: 65536)
      let count = recv(socket, &chunk, chunk.count, 0)
      guard count > 0 else { return false }
      buffer += chunk[0..<count]
      return true
    }
    var end: Int?
    while true {
      if buffer.count >= 4 {
        end = (0...(buffer.count - 4)).first { Array(buffer[$0..<$0 + 4]) == separator }
      }
      if end != nil { break }
      guard fill() else { return nil }
    }
    let headEnd = end! + 4
    let head = Array(buffer[..<headEnd])
    let text = String(decoding: head, as: UTF8.self).lowercased()
    var length = 0
    if let range = text.range(of: "\r\ncontent-length:") {
      // Not up to "\r": a String reads "\r\n" as one Character.
      let digits = text[range.upperBound...].drop { $0 == " " }.prefix { $0.isASCII && $0.isNumber }
      length = Int(digits) ?? 0
    }
    while buffer.count < headEnd + length {
      guard fill() else { return nil }
    }
    let bytes = Array(buffer[..<(headEnd + length)])
    buffer.removeFirst(headEnd + length)
    return (head, bytes)
  }
}
