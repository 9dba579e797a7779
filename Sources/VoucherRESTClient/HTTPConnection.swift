#if canImport(Glibc)
  import Glibc
#endif

/// One HTTP/1.1 connection over a non-blocking TCP socket: the plain-`http` half of
/// `HTTPTransport`.
///
/// Every wait is a `poll` bounded by the exchange's deadline, so no step can outlast it (the
/// name lookup excepted: `getaddrinfo` cannot be bounded, and `HTTPTransport`'s timer covers
/// it). Its methods block: they run on the exchange's own thread, never on a cooperative one.
///
/// `@unchecked Sendable`: one exchange uses a connection at a time; the idle pool hands it
/// from one exchange to the next under its lock.
final class HTTPConnection: @unchecked Sendable {
  /// Why an exchange on this connection failed; `HTTPTransport` maps it to a
  /// `TransportFailure`.
  enum Failure: Error, Equatable {
    /// No connection was made (no such host, refused, unreachable).
    case cannotConnect(String)
    /// The connection broke before the whole request was handed over: the server never had
    /// a complete request.
    case cannotSend(String)
    /// The deadline passed.
    case timedOut
    /// The request was sent and the connection closed (or reset) before the first byte of
    /// the answer: it may have arrived.
    case closedBeforeAnswer(String)
    /// The answer broke off, was not HTTP, or was larger than the limits.
    case badAnswer(String)
  }

  /// An answer read off the connection.
  struct Answer {
    let status: Int
    let body: [UInt8]
    /// The server keeps the connection open and nothing is left unread on it.
    let isReusable: Bool
    /// `X-Voucher-Engine-Capabilities`: the extensions `voucher-engine serve` offers.
    var capabilities: String? = nil
  }

  /// The limits an answer must keep; past them it is a `.badAnswer`, not a crash.
  struct Limits: Sendable {
    /// Status line and header lines together.
    var header = 64 << 10
    var body = 16 << 20
  }

  /// `host:port`, for the idle pool.
  let endpoint: String
  private let socket: Int32
  /// Bytes read and not yet used: `buffer[start...]`.
  private var buffer: [UInt8] = []
  private var start = 0
  /// Bytes received since the current request was written: zero means no byte of its answer.
  private var received = 0
  private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)
  private var isClosed = false
  /// When the connection was made or last answered, for the pool's idle lifetime.
  private(set) var idleSince = ContinuousClock.now

  private init(socket: Int32, endpoint: String) {
    self.socket = socket
    self.endpoint = endpoint
  }

  deinit {
    close()
    scratch.deallocate()
  }

  /// Resolves `host` and connects to the first of its addresses that accepts, before
  /// `deadline`.
  static func open(host: String, port: Int, deadline: ContinuousClock.Instant) throws(Failure)
    -> HTTPConnection
  {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_NUMERICSERV
    var addresses: UnsafeMutablePointer<addrinfo>?
    let resolved = getaddrinfo(host, String(port), &hints, &addresses)
    guard resolved == 0 else {
      let reason =
        resolved == EAI_SYSTEM ? errorText(errno) : String(cString: gai_strerror(resolved))
      throw .cannotConnect("cannot find \(host): \(reason)")
    }
    defer { freeaddrinfo(addresses) }
    var lastReason = "no address"
    var next = addresses
    while let address = next?.pointee {
      next = address.ai_next
      let socket = Glibc.socket(
        address.ai_family,
        Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
          | Int32(SOCK_CLOEXEC.rawValue), address.ai_protocol)
      guard socket >= 0 else {
        lastReason = errorText(errno)
        continue
      }
      let connection = HTTPConnection(socket: socket, endpoint: "\(host):\(port)")
      if connect(socket, address.ai_addr, address.ai_addrlen) != 0 {
        guard errno == EINPROGRESS else {
          lastReason = errorText(errno)
          continue
        }
        try connection.wait(for: POLLOUT, until: deadline)
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else {
          lastReason = errorText(error)
          continue
        }
      }
      // Small requests go out at once instead of waiting for an acknowledgement.
      var noDelay: Int32 = 1
      setsockopt(
        socket, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
      return connection
    }
    throw .cannotConnect("cannot connect to \(host) port \(port): \(lastReason)")
  }

  /// True when the connection can carry another request: open, nothing unread, and the
  /// server has not closed it while it sat idle (its FIN makes the socket readable).
  var isStillOpen: Bool {
    guard !isClosed, start == buffer.count else { return false }
    var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
    return poll(&descriptor, 1, 0) == 0
  }

  func close() {
    guard !isClosed else { return }
    isClosed = true
    _ = Glibc.close(socket)
  }

  /// Sends `bytes` (a whole request).
  func write(_ bytes: [UInt8], until deadline: ContinuousClock.Instant) throws(Failure) {
    received = 0
    var sent = 0
    while sent < bytes.count {
      // MSG_NOSIGNAL: a peer that closed must be an error here, not a SIGPIPE.
      let count = bytes.withUnsafeBytes {
        send(socket, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
      }
      if count >= 0 {
        sent += count
        continue
      }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: try wait(for: POLLOUT, until: deadline)
      default: throw .cannotSend("the connection broke while sending: \(errorText(errno))")
      }
    }
  }

  /// Reads one answer to a request made with `method`.
  func readAnswer(method: String, limits: Limits, until deadline: ContinuousClock.Instant)
    throws(Failure) -> Answer
  {
    var head = try readHead(limits: limits, until: deadline)
    // Interim answers (100 Continue, 103 Early Hints) come before the real one.
    while (100..<200).contains(head.status) {
      guard head.status != 101 else { throw .badAnswer("the server switched protocols") }
      head = try readHead(limits: limits, until: deadline)
    }
    let tokens = (head.field("connection") ?? "").lowercased().split(separator: ",").map {
      $0.trimmingSpaces
    }
    var keepsOpen = head.isHTTP11 ? !tokens.contains("close") : tokens.contains("keep-alive")
    let body: [UInt8]
    if method == "HEAD" || head.status == 204 || head.status == 304 {
      body = []
    } else if let coding = head.field("transfer-encoding") {
      if coding.lowercased().split(separator: ",").last?.trimmingSpaces == "chunked" {
        body = try readChunked(limits: limits, until: deadline)
      } else {
        body = try readToEnd(limits: limits, until: deadline)
        keepsOpen = false
      }
    } else if let text = head.field("content-length") {
      // A repeated Content-Length is fine only when every copy agrees.
      let values = Set(text.split(separator: ",").map { $0.trimmingSpaces })
      guard values.count == 1, let value = values.first, !value.isEmpty,
        value.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(value)
      else { throw .badAnswer("the server's Content-Length is unreadable (\(text))") }
      guard length <= limits.body else { throw Self.tooLarge(limits) }
      body = try readExactly(length, until: deadline)
    } else {
      body = try readToEnd(limits: limits, until: deadline)
      keepsOpen = false
    }
    idleSince = .now
    return Answer(
      status: head.status, body: body, isReusable: keepsOpen && start == buffer.count,
      capabilities: head.field("x-voucher-engine-capabilities"))
  }

  // MARK: Reading

  /// A status line and its header fields.
  private struct Head {
    let status: Int
    let isHTTP11: Bool
    /// Lowercased names.
    let fields: [(name: String, value: String)]

    func field(_ name: String) -> String? {
      let values = fields.filter { $0.name == name }.map(\.value)
      return values.isEmpty ? nil : values.joined(separator: ", ")
    }
  }

  private func readHead(limits: Limits, until deadline: ContinuousClock.Instant) throws(Failure)
    -> Head
  {
    // Counted from `start`, which moves when `fill` compacts the buffer.
    var searched = 0
    while true {
      if let end = Self.find([13, 10, 13, 10], in: buffer, from: start + searched),
        end - start <= limits.header
      {
        // Split as bytes: in a Swift String, "\r\n" is one Character, not two.
        let lines = buffer[start..<end].split(separator: 10, omittingEmptySubsequences: false)
          .map { String(decoding: $0.last == 13 ? $0.dropLast() : $0, as: UTF8.self) }
        consume(end + 4 - start)
        return try Self.parseHead(lines)
      }
      guard buffer.count - start <= limits.header else {
        throw .badAnswer("the server's answer headers are larger than \(limits.header) bytes")
      }
      searched = max(0, buffer.count - start - 3)
      try fill(until: deadline)
    }
  }

  private static func parseHead(_ lines: [String]) throws(Failure) -> Head {
    let statusLine = lines[0]
    let parts = statusLine.split(separator: " ", maxSplits: 2)
    guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
      parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let status = Int(parts[1])
    else { throw .badAnswer("the server's answer is not HTTP (\(statusLine.prefix(40)))") }
    var fields: [(name: String, value: String)] = []
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else {
        throw .badAnswer("the server sent a malformed header line")
      }
      fields.append(
        (
          line[..<colon].trimmingSpaces.lowercased(),
          String(line[line.index(after: colon)...].trimmingSpaces)
        ))
    }
    return Head(status: status, isHTTP11: parts[0] != "HTTP/1.0", fields: fields)
  }

  private func readChunked(limits: Limits, until deadline: ContinuousClock.Instant)
    throws(Failure) -> [UInt8]
  {
    var body: [UInt8] = []
    while true {
      let line = try readLine(limit: 1024, until: deadline)
      let digits = line.split(separator: ";", maxSplits: 1).first?.trimmingSpaces ?? ""
      guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy(\.isHexDigit),
        let size = Int(digits, radix: 16)
      else { throw .badAnswer("the server sent a malformed chunk size (\(line.prefix(20)))") }
      if size == 0 { break }
      guard size <= limits.body - body.count else { throw Self.tooLarge(limits) }
      try need(size + 2, until: deadline)
      body += buffer[start..<start + size]
      guard buffer[start + size] == 13, buffer[start + size + 1] == 10 else {
        throw .badAnswer("a chunk of the server's answer does not end where its size says")
      }
      consume(size + 2)
    }
    // Trailer fields, then an empty line; they are not needed, only bounded.
    var trailers = 0
    while true {
      let line = try readLine(limit: limits.header, until: deadline)
      if line.isEmpty { return body }
      trailers += line.utf8.count
      guard trailers <= limits.header else {
        throw .badAnswer("the server's trailers are larger than \(limits.header) bytes")
      }
    }
  }

  private func readExactly(_ count: Int, until deadline: ContinuousClock.Instant)
    throws(Failure) -> [UInt8]
  {
    try need(count, until: deadline)
    let bytes = Array(buffer[start..<start + count])
    consume(count)
    return bytes
  }

  /// An answer framed by the end of the connection (HTTP/1.0 style).
  private func readToEnd(limits: Limits, until deadline: ContinuousClock.Instant)
    throws(Failure) -> [UInt8]
  {
    while try fillUnlessEnded(until: deadline) {
      guard buffer.count - start <= limits.body else { throw Self.tooLarge(limits) }
    }
    let bytes = Array(buffer[start...])
    consume(bytes.count)
    return bytes
  }

  /// One line without its CR LF.
  private func readLine(limit: Int, until deadline: ContinuousClock.Instant) throws(Failure)
    -> String
  {
    var searched = 0
    while true {
      if let end = Self.find([10], in: buffer, from: start + searched) {
        let lineEnd = end > start && buffer[end - 1] == 13 ? end - 1 : end
        let line = String(decoding: buffer[start..<lineEnd], as: UTF8.self)
        consume(end + 1 - start)
        return line
      }
      guard buffer.count - start <= limit else {
        throw .badAnswer("the server sent a line longer than \(limit) bytes")
      }
      searched = buffer.count - start
      try fill(until: deadline)
    }
  }

  /// Reads until `count` unread bytes are buffered.
  private func need(_ count: Int, until deadline: ContinuousClock.Instant) throws(Failure) {
    if buffer.count - start < count { buffer.reserveCapacity(start + count) }
    while buffer.count - start < count { try fill(until: deadline) }
  }

  private func consume(_ count: Int) {
    start += count
    if start == buffer.count {
      buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
      start = 0
    }
  }

  /// Reads what has arrived (waiting for some); the end of the connection is an error.
  private func fill(until deadline: ContinuousClock.Instant) throws(Failure) {
    guard try fillUnlessEnded(until: deadline) else {
      throw ended("the server closed the connection")
    }
  }

  /// Reads what has arrived (waiting for some); false at the end of the connection.
  private func fillUnlessEnded(until deadline: ContinuousClock.Instant) throws(Failure) -> Bool {
    // Consumed bytes go before the buffer grows, so it never holds more than one answer.
    if start > 0, start >= buffer.count / 2 {
      buffer.removeFirst(start)
      start = 0
    }
    while true {
      let count = recv(socket, scratch.baseAddress, scratch.count, 0)
      if count > 0 {
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
        received += count
        return true
      }
      if count == 0 { return false }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: try wait(for: POLLIN, until: deadline)
      default: throw ended("the connection broke: \(errorText(errno))")
      }
    }
  }

  private func ended(_ reason: String) -> Failure {
    received == 0 ? .closedBeforeAnswer(reason) : .badAnswer("\(reason) in mid-answer")
  }

  private static func tooLarge(_ limits: Limits) -> Failure {
    .badAnswer("the server's answer is larger than \(limits.body) bytes")
  }

  /// Waits until the socket is ready for `events`, or throws `.timedOut` at `deadline`.
  private func wait(for events: Int32, until deadline: ContinuousClock.Instant) throws(Failure) {
    while true {
      let left = ContinuousClock.now.duration(to: deadline)
      guard left > .zero else { throw .timedOut }
      let (seconds, attoseconds) = left.components
      // Rounded up, so a wait never ends just before the deadline and spins.
      let milliseconds = min(
        seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000,
        Int64(Int32.max))
      var descriptor = pollfd(fd: socket, events: Int16(events), revents: 0)
      let ready = poll(&descriptor, 1, Int32(milliseconds))
      if ready > 0 { return }
      if ready < 0, errno != EINTR { throw .badAnswer("poll failed: \(errorText(errno))") }
    }
  }

  private static func find(_ pattern: [UInt8], in bytes: [UInt8], from index: Int) -> Int? {
    guard bytes.count >= pattern.count else { return nil }
    var position = max(0, index)
    let last = bytes.count - pattern.count
    while position <= last {
      if bytes[position] == pattern[0] {
        var matches = true
        for offset in 1..<pattern.count where bytes[position + offset] != pattern[offset] {
          matches = false
          break
        }
        if matches { return position }
      }
      position += 1
    }
    return nil
  }
}

private func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

extension Substring {
  /// Without leading and trailing spaces and tabs (Foundation's trimming is not needed here).
  fileprivate var trimmingSpaces: String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
    let last = lastIndex(where: { !isSpace($0) })!
    return String(self[first...last])
  }
}
