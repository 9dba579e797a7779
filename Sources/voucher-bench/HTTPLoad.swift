import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A minimal HTTP/1.1 keep-alive client on a blocking socket: the bench's own load
/// generator, so no outside tool is needed and the client cost stays small and known.
final class HTTPConnection {
  private let socket: Int32
  private var buffer = [UInt8](repeating: 0, count: 1 << 16)
  private var pending: [UInt8] = []

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
    // Headers, then exactly Content-Length bytes of body.
    var headerEnd: Int?
    while headerEnd == nil {
      try fill()
      headerEnd = find([13, 10, 13, 10])
    }
    let head = String(decoding: pending[0..<headerEnd!], as: UTF8.self)
    let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
    var length = 0
    for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
      length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
    }
    let total = headerEnd! + 4 + length
    while pending.count < total { try fill() }
    pending.removeFirst(total)
    return status
  }

  private func fill() throws {
    let count = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress!, $0.count) }
    guard count > 0 else { throw BenchError("the connection closed while reading") }
    pending.append(contentsOf: buffer[0..<count])
  }

  private func find(_ pattern: [UInt8]) -> Int? {
    guard pending.count >= pattern.count else { return nil }
    for index in 0...(pending.count - pattern.count) where pending[index] == pattern[0] {
      if Array(pending[index..<index + pattern.count]) == pattern { return index }
    }
    return nil
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
    let next = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let lock = NSLock()
    nonisolated(unsafe) var samples: [Double] = []
    nonisolated(unsafe) var firstProblem: String?
    let clock = ContinuousClock()
    let total = clock.measure {
      DispatchQueue.concurrentPerform(iterations: connections) { _ in
        var mine: [Double] = []
        do {
          let connection = try HTTPConnection(port: port)
          while true {
            let iteration = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard iteration < count else { break }
            let bytes = request(iteration)
            let start = clock.now
            let status = try connection.send(bytes)
            mine.append(seconds(clock.now - start))
            if status != 200 {
              failures.wrappingAdd(1, ordering: .relaxed)
              lock.lock()
              firstProblem = firstProblem ?? "HTTP \(status)"
              lock.unlock()
            }
          }
        } catch {
          failures.wrappingAdd(1, ordering: .relaxed)
          lock.lock()
          firstProblem = firstProblem ?? "\(error)"
          lock.unlock()
        }
        lock.lock()
        samples += mine
        lock.unlock()
      }
    }
    guard failures.load(ordering: .relaxed) == 0 else {
      throw BenchError(
        "\(operation): \(failures.load(ordering: .relaxed)) failures, first: \(firstProblem ?? "?")"
      )
    }
    return Measurement(
      operation: operation, count: count, seconds: seconds(total), samples: samples)
  }
}
