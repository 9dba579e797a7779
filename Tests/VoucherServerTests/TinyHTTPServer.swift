import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A scripted HTTP/1.1 server on a loopback socket, for what a real server does rarely:
/// chunked answers, closing without an answer, never answering, oversize headers. It counts
/// the connections it accepts, so a test can see keep-alive at work.
final class TinyHTTPServer: Sendable {
  /// A request as it arrived.
  struct Request: Sendable {
    let method: String
    let target: String
    /// Lowercased names.
    let headers: [String: String]
    let body: [UInt8]
    /// Which accepted connection carried it (0 for the first), and which request on it.
    let connection: Int
    let index: Int
  }

  /// What the server does with a request.
  enum Reply: Sendable {
    /// Writes these bytes and keeps the connection for the next request.
    case send([UInt8])
    /// Writes these bytes after a pause.
    case sendLate([UInt8], after: TimeInterval)
    /// Closes the connection without a byte of answer.
    case close
    /// Never answers (until the client or the server closes the connection).
    case hang
  }

  let port: Int
  private let listener: Int32
  private let state = Mutex<State>(State())
  private let handler: @Sendable (Request) -> Reply

  private struct State {
    var accepted = 0
    var requests: [Request] = []
    /// Connections the client closed (or reset) while the server waited on them.
    var closedByClient = 0
    /// For each `.hang`: from the request's arrival to the client's closing of the connection.
    var hangs: [Duration] = []
    var open: Set<Int32> = []
    var stopped = false
  }

  /// Starts listening on 127.0.0.1 (an ephemeral port); `handler` answers every request.
  init(_ handler: @escaping @Sendable (Request) -> Reply) throws {
    self.handler = handler
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(listener, $0, length) == 0 && listen(listener, 16) == 0
          && getsockname(listener, $0, &length) == 0
      }
    }
    guard bound else {
      close(listener)
      throw CocoaError(.fileWriteUnknown)
    }
    self.listener = listener
    port = Int(UInt16(bigEndian: address.sin_port))
    Thread.detachNewThread { [self] in acceptLoop() }
  }

  deinit { stop() }

  /// Connections accepted so far.
  var accepted: Int { state.withLock { $0.accepted } }
  /// Requests received so far.
  var requests: [Request] { state.withLock { $0.requests } }
  /// Connections the client closed so far.
  var closedByClient: Int { state.withLock { $0.closedByClient } }
  /// How long the client waited on each `.hang` before closing the connection: measured on
  /// the server's threads, so it shows the client's deadline even when the test's own tasks
  /// are slow to resume.
  var hangs: [Duration] { state.withLock { $0.hangs } }

  /// The base URL of this server.
  var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

  /// Stops accepting and ends every connection.
  func stop() {
    // shutdown, not close: the threads blocked on these sockets wake up and close them. Under
    // the lock, as a thread closes its socket only after leaving `open` under it: a number
    // in `open` is never one the process has reused for another socket.
    state.withLock { state in
      guard !state.stopped else { return }
      state.stopped = true
      shutdown(listener, Int32(SHUT_RDWR))
      for socket in state.open { shutdown(socket, Int32(SHUT_RDWR)) }
    }
  }

  /// An answer with a Content-Length, or chunked in pieces of `chunkSize` bytes.
  static func answer(
    status: Int = 200, body: [UInt8], chunkSize: Int? = nil, extraHeaders: [String] = []
  ) -> [UInt8] {
    var head = "HTTP/1.1 \(status) Whatever\r\nContent-Type: application/json\r\n"
    for line in extraHeaders { head += line + "\r\n" }
    guard let chunkSize else {
      return Array((head + "Content-Length: \(body.count)\r\n\r\n").utf8) + body
    }
    var bytes = Array((head + "Transfer-Encoding: chunked\r\n\r\n").utf8)
    var offset = 0
    while offset < body.count {
      let end = min(offset + chunkSize, body.count)
      // An extension on each size line, as the grammar allows.
      bytes += Array("\(String(end - offset, radix: 16));piece=\(offset)\r\n".utf8)
      bytes += body[offset..<end]
      bytes += [13, 10]
      offset = end
    }
    return bytes + Array("0\r\nX-Trailer: done\r\n\r\n".utf8)
  }

  static func answer(status: Int = 200, _ text: String, chunkSize: Int? = nil) -> [UInt8] {
    answer(status: status, body: Array(text.utf8), chunkSize: chunkSize)
  }

  private func acceptLoop() {
    while true {
      let socket = accept(listener, nil, nil)
      if socket < 0 {
        if errno == EINTR { continue }
        break
      }
      // A child process another test starts must not inherit it: the connection would
      // outlive our close, and the client would wait for an end that never comes.
      _ = fcntl(socket, F_SETFD, FD_CLOEXEC)
      let index = state.withLock { state -> Int? in
        guard !state.stopped else { return nil }
        state.accepted += 1
        state.open.insert(socket)
        return state.accepted - 1
      }
      guard let index else {
        close(socket)
        break
      }
      Thread.detachNewThread { [self] in serve(socket, connection: index) }
    }
    close(listener)
  }

  private func serve(_ socket: Int32, connection: Int) {
    defer {
      state.withLock { _ = $0.open.remove(socket) }
      close(socket)
    }
    var buffer: [UInt8] = []
    var index = 0
    while let request = read(socket, &buffer, connection: connection, index: index) {
      index += 1
      state.withLock { $0.requests.append(request) }
      switch handler(request) {
      case .send(let bytes):
        guard write(socket, bytes) else { return }
      case .sendLate(let bytes, let pause):
        Thread.sleep(forTimeInterval: pause)
        guard write(socket, bytes) else { return }
      case .close:
        return
      case .hang:
        let arrived = ContinuousClock.now
        var byte: UInt8 = 0
        while recv(socket, &byte, 1, 0) > 0 {}
        let waited = arrived.duration(to: .now)
        state.withLock {
          $0.closedByClient += 1
          $0.hangs.append(waited)
        }
        return
      }
    }
    if !state.withLock({ $0.stopped }) { state.withLock { $0.closedByClient += 1 } }
  }

  /// One request (head and Content-Length body); nil when the connection ends first.
  private func read(_ socket: Int32, _ buffer: inout [UInt8], connection: Int, index: Int)
    -> Request?
  {
    let separator: [UInt8] = [13, 10, 13, 10]
    var chunk = [UInt8](repeating: 0, count: 65536)
    func more() -> Bool {
      let count = recv(socket, &chunk, chunk.count, 0)
      guard count > 0 else { return false }
      buffer += chunk[..<count]
      return true
    }
    var headEnd: Int?
    while headEnd == nil {
      headEnd = buffer.indices.dropLast(3).first { Array(buffer[$0..<$0 + 4]) == separator }
      if headEnd == nil, !more() { return nil }
    }
    let lines = String(decoding: buffer[..<headEnd!], as: UTF8.self).components(
      separatedBy: "\r\n")
    let requestLine = lines[0].split(separator: " ")
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
        .trimmingCharacters(in: .whitespaces)
    }
    let length = Int(headers["content-length"] ?? "0") ?? 0
    let bodyStart = headEnd! + 4
    while buffer.count < bodyStart + length {
      guard more() else { return nil }
    }
    let body = Array(buffer[bodyStart..<bodyStart + length])
    buffer.removeFirst(bodyStart + length)
    return Request(
      method: String(requestLine.first ?? ""),
      target: requestLine.count > 1 ? String(requestLine[1]) : "", headers: headers, body: body,
      connection: connection, index: index)
  }

  private func write(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
    var sent = 0
    while sent < bytes.count {
      let count = bytes.withUnsafeBytes {
        send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
      }
      guard count > 0 else { return false }
      sent += count
    }
    return true
  }
}

/// A loopback port nothing listens on (bound, then closed).
func refusedPort() -> Int {
  let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(probe) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  _ = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(probe, $0, length) == 0 && getsockname(probe, $0, &length) == 0
    }
  }
  return Int(UInt16(bigEndian: address.sin_port))
}
