import Foundation

/// A blocking TCP connection to 127.0.0.1 for sending what no client library would (a
/// trickle, a pipeline, a body that stops), optionally from another loopback address
/// (127.0.0.2 …), so a flood comes from an address other than the normal client's.
final class RawSocket {
  let fd: Int32

  /// Connects to `127.0.0.1:port` from `source` (nil: the kernel's choice); nil on failure.
  init?(port: Int, source: String? = nil) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    self.fd = fd
    if let source {
      var local = sockaddr_in()
      local.sin_family = sa_family_t(AF_INET)
      inet_pton(AF_INET, source, &local.sin_addr)
      let bound = withUnsafePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      guard bound == 0 else { return nil }
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { return nil }
  }

  deinit { close(fd) }

  /// Sends all of `bytes`; false when the peer has closed.
  @discardableResult
  func send(_ bytes: [UInt8]) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      if sent <= 0 { return false }
      offset += sent
    }
    return true
  }

  @discardableResult
  func send(_ text: String) -> Bool { send(Array(text.utf8)) }

  /// Says nothing more will be sent (the peer reads end of file after what was sent).
  func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

  /// Bytes received within `timeout` seconds (whatever has arrived when it passes, or when
  /// the peer closes); `closed` tells which.
  private var buffer: [UInt8] = []
  private(set) var closed = false

  /// Reads until `done(buffer)` holds, the peer closes, or `timeout` passes.
  func read(timeout: TimeInterval, until done: ([UInt8]) -> Bool) -> [UInt8] {
    let deadline = Date().addingTimeInterval(timeout)
    while !done(buffer), !closed {
      let left = deadline.timeIntervalSinceNow
      if left <= 0 { break }
      var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&poller, 1, Int32(min(left, 1) * 1000) + 1) > 0 else { continue }
      var chunk = [UInt8](repeating: 0, count: 65536)
      let count = recv(fd, &chunk, chunk.count, 0)
      if count <= 0 {
        closed = true
        break
      }
      buffer += chunk[0..<count]
    }
    return buffer
  }

  /// Waits up to `timeout` for the peer to close; true if it did.
  func waitForClose(timeout: TimeInterval) -> Bool {
    _ = read(timeout: timeout) { _ in false }
    return closed
  }

  /// The next whole answer (status, headers, Content-Length body) within `timeout`, or nil.
  func response(timeout: TimeInterval = 10) -> RawResponse? {
    _ = read(timeout: timeout) { RawResponse.parse($0) != nil }
    guard let (response, used) = RawResponse.parse(buffer) else { return nil }
    buffer.removeFirst(used)
    return response
  }
}

/// One parsed answer.
struct RawResponse {
  let status: Int
  let headers: [String: String]
  let body: [UInt8]

  var text: String { String(decoding: body, as: UTF8.self) }
  func header(_ name: String) -> String? { headers[name.lowercased()] }

  /// The answer at the start of `bytes` and how many bytes it used, or nil when it is not
  /// all there yet.
  static func parse(_ bytes: [UInt8]) -> (RawResponse, Int)? {
    let separator: [UInt8] = [13, 10, 13, 10]
    guard bytes.count >= 4,
      let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator })
    else { return nil }
    let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
    guard let statusLine = head.first, statusLine.count >= 12,
      let status = Int(statusLine.dropFirst(9).prefix(3))
    else { return nil }
    var headers: [String: String] = [:]
    for line in head.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
        .trimmingCharacters(in: .whitespaces)
    }
    let length = Int(headers["content-length"] ?? "0") ?? 0
    let start = end + 4
    guard bytes.count >= start + length else { return nil }
    return (
      RawResponse(status: status, headers: headers, body: Array(bytes[start..<start + length])),
      start + length
    )
  }
}

/// A request as bytes: `headers` are added after Host; a body gets its Content-Length.
func rawRequest(
  _ method: String, _ target: String, headers: [String: String] = [:], body: [UInt8]? = nil
) -> [UInt8] {
  var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
  for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
  if let body { text += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
  text += "\r\n"
  return Array(text.utf8) + (body ?? [])
}

/// A normal client's request on a fresh connection from 127.0.0.1: the answer's status, or
/// nil when none came within `timeout`.
func normalClientStatus(port: Int, timeout: TimeInterval = 5) -> Int? {
  guard let socket = RawSocket(port: port) else { return nil }
  socket.send(rawRequest("GET", "/health", headers: ["Connection": "close"]))
  return socket.response(timeout: timeout)?.status
}

/// One request on a fresh connection of our own (no URLSession, whose machinery was most of
/// the cost of the table-driven tests), as a `RawAnswer`; status 0 when nothing came.
func socketRaw(
  _ method: String, port: Int, _ target: String, headers: [String: String] = [:],
  body: Data? = nil
) -> RawAnswer {
  guard let socket = RawSocket(port: port) else {
    return RawAnswer(status: 0, json: [:], body: Data())
  }
  var headers = headers
  headers["Connection"] = "close"
  socket.send(rawRequest(method, target, headers: headers, body: body.map { Array($0) }))
  guard let answer = socket.response(timeout: 20) else {
    return RawAnswer(status: 0, json: [:], body: Data())
  }
  let data = Data(answer.body)
  let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
  return RawAnswer(status: answer.status, json: json, body: data, headers: answer.headers)
}
