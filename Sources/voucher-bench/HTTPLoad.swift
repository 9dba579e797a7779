import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A minimal HTTP/1.1 keep-alive client on a blocking socket: the bench's own load
/// generator, so no outside tool is needed. It shares the machine's cores with the server
/// it measures, so it is kept lean: one receive buffer reused for every answer, the header
/// scanned once in place, nothing allocated per request but the request bytes.
final class HTTPConnection {
  private let socket: Int32
  private var buffer = [UInt8](repeating: 0, count: 1 << 16)
  /// The unread bytes are `buffer[start..<end]`.
  private var start = 0
  private var end = 0

  init(port: Int) throws {
    socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw BenchError("socket() failed") }
    var noDelay: Int32 = 1
    setsockopt(
      socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(socket)
      throw BenchError("cannot connect to 127.0.0.1:\(port)")
    }
  }

  deinit { close(socket) }

  /// Sends one request and reads the whole answer; returns the status code.
  func send(_ request: [UInt8]) throws -> Int {
    var sent = 0
    while sent < request.count {
      let written = request.withUnsafeBytes {
        write(socket, $0.baseAddress! + sent, request.count - sent)
      }
      guard written > 0 else { throw BenchError("the connection closed while sending") }
      sent += written
    }
    // The header ends at the first CRLF CRLF. `scanned` counts bytes past `start` already
    // looked at (relative, since `fill` may move the unread bytes).
    var scanned = 0
    var headerEnd = -1
    while true {
      var index = start + scanned
      while index + 3 < end {
        if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13,
          buffer[index + 3] == 10
        {
          headerEnd = index
          break
        }
        index += 1
      }
      if headerEnd >= 0 { break }
      scanned = index - start
      try fill()
    }
    let status = statusCode()
    let total = headerEnd + 4 + contentLength(headerEnd: headerEnd) - start
    while end - start < total { try fill() }
    start += total
    if start == end { (start, end) = (0, 0) }
    return status
  }

  /// "HTTP/1.1 200 OK": the three digits after the first space.
  private func statusCode() -> Int {
    var index = start
    while index < end, buffer[index] != 32 { index += 1 }
    var code = 0
    for offset in 1...3 where index + offset < end {
      code = code * 10 + Int(buffer[index + offset]) - 48
    }
    return code
  }

  /// The Content-Length header's value (0 when absent), found without building strings.
  private func contentLength(headerEnd: Int) -> Int {
    let name = Array("content-length:".utf8)
    var line = start
    while line < headerEnd {
      var next = line
      while next < headerEnd, buffer[next] != 13 { next += 1 }
      if next - line > name.count,
        (0..<name.count).allSatisfy({ buffer[line + $0] | 0x20 == name[$0] | 0x20 })
      {
        var value = 0
        for index in (line + name.count)..<next where buffer[index] >= 48 && buffer[index] <= 57 {
          value = value * 10 + Int(buffer[index]) - 48
        }
        return value
      }
      line = next + 2
    }
    return 0
  }

  /// Reads what the socket has, moving the unread bytes to the front or growing the buffer
  /// when there is no room.
  private func fill() throws {
    if end == buffer.count {
      if start > 0 {
        buffer.withUnsafeMutableBufferPointer {
          _ = memmove($0.baseAddress!, $0.baseAddress! + start, end - start)
        }
        (start, end) = (0, end - start)
      } else {
        buffer += [UInt8](repeating: 0, count: buffer.count)
      }
    }
    let count = buffer.withUnsafeMutableBytes {
      read(socket, $0.baseAddress! + end, $0.count - end)
    }
    guard count > 0 else { throw BenchError("the connection closed while reading") }
    end += count
  }

  /// The bytes of one request.
  static func request(
    method: String, path: String, body: String? = nil, headers: [String: String] = [:]
  ) -> [UInt8] {
    var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for (name, value) in headers.sorted(by: { $0.key < $1.key }) { text += "\(name): \(value)\r\n" }
    if let body {
      text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    } else {
      text += "\r\n"
    }
    return Array(text.utf8)
  }
}

extension Benchmark {
  /// `count` requests over `connections` keep-alive connections, one client thread each.
  /// Every answer must be 200, or the run fails (a benchmark of errors measures nothing).
  static func measureHTTP(
    _ operation: String, port: Int, connections: Int, count: Int,
    request: @escaping @Sendable (Int) -> [UInt8]
  ) throws -> Measurement {
    try measureHTTP(
      operation, ports: [port], connections: connections, count: count, request: request)
  }

  /// Like `measureHTTP(_:port:…)`, the connections dealt in turn to the servers on `ports`.
  ///
  /// As pgbench reports "without initial connection time", the clock runs from when every
  /// connection is open to when the last answer is read; the request bytes are made before
  /// it starts, so the figure is the server's, not the load generator's string building.
  static func measureHTTP(
    _ operation: String, ports: [Int], connections: Int, count: Int,
    request: @escaping @Sendable (Int) -> [UInt8]
  ) throws -> Measurement {
    let requests = (0..<count).map(request)
    let next = Atomic<Int>(0)
    let opened = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let lock = NSLock()
    nonisolated(unsafe) var samples: [Double] = []
    nonisolated(unsafe) var firstProblem: String?
    let clock = ContinuousClock()
    let connected = DispatchSemaphore(value: 0)
    let go = DispatchSemaphore(value: 0)
    let finished = DispatchSemaphore(value: 0)
    @Sendable func fail(_ problem: String) {
      failures.wrappingAdd(1, ordering: .relaxed)
      lock.lock()
      firstProblem = firstProblem ?? problem
      lock.unlock()
    }
    for _ in 0..<connections {
      let thread = Thread {
        defer { finished.signal() }
        var mine: [Double] = []
        let index = opened.wrappingAdd(1, ordering: .relaxed).oldValue
        let connection: HTTPConnection?
        do {
          connection = try HTTPConnection(port: ports[index % ports.count])
        } catch {
          connection = nil
          fail("\(error)")
        }
        connected.signal()
        go.wait()
        guard let connection else { return }
        do {
          while true {
            let iteration = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard iteration < count else { break }
            let start = clock.now
            let status = try connection.send(requests[iteration])
            mine.append(seconds(clock.now - start))
            if status != 200 { fail("HTTP \(status)") }
          }
        } catch {
          fail("\(error)")
        }
        lock.lock()
        samples += mine
        lock.unlock()
      }
      thread.stackSize = 1 << 20
      thread.start()
    }
    for _ in 0..<connections { connected.wait() }
    let started = clock.now
    for _ in 0..<connections { go.signal() }
    for _ in 0..<connections { finished.wait() }
    let total = clock.now - started
    guard failures.load(ordering: .relaxed) == 0 else {
      throw BenchError(
        "\(operation): \(failures.load(ordering: .relaxed)) failures, first: \(firstProblem ?? "?")"
      )
    }
    return Measurement(
      operation: operation, count: count, seconds: seconds(total), samples: samples)
  }
}
