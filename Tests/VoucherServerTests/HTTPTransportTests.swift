import Foundation
import Testing
import VoucherAPI
import VoucherClient
import VoucherEngine

@testable import VoucherRESTClient

private let cart = [CartItem(sku: "prod_1", quantity: 1, price: 10_000)]

private func request(
  _ url: URL, _ method: String = "GET", body: String? = nil, safe: Bool = true
) -> HTTPTransport.Request {
  HTTPTransport.Request(
    method: method, url: url, headers: [(name: "Accept", value: "application/json")],
    body: body.map { Data($0.utf8) }, isSafeToRepeat: safe)
}

/// A RESTClient for a `TinyHTTPServer` (any key: the tiny server checks none), taking our
/// extensions as advertised, so that no discovery request mixes with the ones counted.
private func client(
  _ server: TinyHTTPServer, readTimeout: TimeInterval = 5, transport: HTTPTransport = .init()
) -> RESTClient {
  RESTClient(
    baseURL: server.baseURL, appId: "app_1", token: "token-1", readTimeout: readTimeout,
    transport: transport,
    extensions: ["fence", "idempotency", "name-search", "reactivate", "health", "wallet-tabs"])
}

/// Waits (polling, at most 5 s) until `condition` holds.
private func eventually(_ condition: () -> Bool) async -> Bool {
  let deadline = ContinuousClock.now + .seconds(5)
  while !condition() {
    guard ContinuousClock.now < deadline else { return false }
    try? await Task.sleep(for: .milliseconds(10))
  }
  return true
}

@Suite("HTTP transport: our own HTTP/1.1 client over sockets")
struct HTTPTransportTests {
  @Test("a chunked answer is joined; chunk extensions and trailers are skipped")
  func chunked() async throws {
    let text = #"{"status": "ok", "note": "sent in pieces of seven bytes"}"#
    let server = try TinyHTTPServer { _ in .send(TinyHTTPServer.answer(text, chunkSize: 7)) }
    let answer = await HTTPTransport().send(request(server.baseURL), timeout: 5)
    #expect(answer == .success(.init(status: 200, body: Data(text.utf8))))
  }

  @Test("a voucher served chunked reads the same as from voucher-engine serve")
  func chunkedVoucher() async throws {
    let engine = try freshEngine()
    try engine.createVoucher(
      VoucherDraft(code: "CHUNKY", kind: .discount(.amount(500)), quantity: 3))
    let live = try LiveServer(engine: engine)
    let expected = try await live.client(.cashier).voucher(code: "CHUNKY")
    #expect(expected != nil)
    var read = request(live.baseURL.appendingPathComponent("v1/vouchers/CHUNKY"))
    read.headers += live.headers(.cashier).map { (name: $0.key, value: $0.value) }
    guard case .success(let original) = await HTTPTransport().send(read, timeout: 5) else {
      Issue.record("the live server did not answer")
      return
    }
    let body = Array(original.body)
    let server = try TinyHTTPServer { _ in .send(TinyHTTPServer.answer(body: body, chunkSize: 50))
    }
    #expect(try await client(server).voucher(code: "CHUNKY") == expected)
  }

  @Test("a body larger than the socket buffers arrives whole, with a length or chunked")
  func largeBody() async throws {
    let body = (0..<(6 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) }
    let server = try TinyHTTPServer { request in
      .send(
        TinyHTTPServer.answer(
          body: body, chunkSize: request.target == "/chunked" ? 100_000 : nil))
    }
    let transport = HTTPTransport(idleLifetime: .seconds(3600))
    for path in ["/length", "/chunked"] {
      let answer = await transport.send(
        request(server.baseURL.appendingPathComponent(path)), timeout: 20)
      guard case .success(let answer) = answer else {
        Issue.record("\(path): \(answer)")
        continue
      }
      #expect(answer.body.count == body.count, "\(path)")
      #expect(answer.body == Data(body), "\(path)")
    }
    #expect(server.accepted == 1, "both over one kept-alive connection")
  }

  @Test("keep-alive: one connection serves a run of reads; a redeem gets a fresh one")
  func keepAlive() async throws {
    let server = try TinyHTTPServer { _ in .send(TinyHTTPServer.answer("{}")) }
    let transport = HTTPTransport(idleLifetime: .seconds(3600))
    for _ in 0..<5 {
      #expect(
        await transport.send(request(server.baseURL), timeout: 5)
          == .success(.init(status: 200, body: Data("{}".utf8))))
    }
    #expect(server.accepted == 1)
    #expect(server.requests.map(\.index) == [0, 1, 2, 3, 4])
    let redeem = request(
      server.baseURL.appendingPathComponent("v1/redemptions"), "POST", body: "{}", safe: false)
    _ = await transport.send(redeem, timeout: 5)
    #expect(server.accepted == 2, "a request that must not be repeated opens its own")
    _ = await transport.send(request(server.baseURL), timeout: 5)
    #expect(server.accepted == 2, "and leaves it for the next read")

    // Eight at once: each needs a connection; four stay idle afterwards.
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<8 {
        group.addTask { _ = await transport.send(request(server.baseURL), timeout: 5) }
      }
    }
    #expect(transport.idleCount <= HTTPTransport.idleLimit)
    #expect(server.requests.count == 15)
  }

  @Test("RESTClient's request carries the key, Accept, the body's length, Host, keep-alive")
  func requestHeaders() async throws {
    let server = try TinyHTTPServer { _ in .send(TinyHTTPServer.answer(status: 500, "{}")) }
    let error = await clientError {
      try await client(server).redeem(
        attempt(RedemptionRequest(codes: [CodeRequest("X")], orderSourceId: "sale-7", items: cart)),
        deadline: Date().addingTimeInterval(5))
    }
    // A 5xx says nothing of whether the engine behind it committed: the outcome is unknown.
    guard case .outcomeUnknown = error else {
      Issue.record("expected outcomeUnknown, got \(String(describing: error))")
      return
    }
    let sent = try #require(server.requests.first)
    #expect(sent.method == "POST")
    #expect(sent.target == "/v1/redemptions")
    #expect(sent.headers["x-app-id"] == "app_1")
    #expect(sent.headers["x-app-token"] == "token-1")
    #expect(sent.headers["accept"] == "application/json")
    #expect(sent.headers["content-type"] == "application/json")
    #expect(sent.headers["content-length"] == String(sent.body.count))
    #expect(sent.headers["idempotency-key"] == "sale-7.1")
    #expect(sent.headers["host"] == "127.0.0.1:\(server.port)")
    #expect(sent.headers["connection"] == "keep-alive")
    #expect(!sent.body.isEmpty)
  }

  @Test("an idle connection past its lifetime is not reused: the next read opens another")
  func idleLifetime() async throws {
    #expect(HTTPTransport().idleLifetime == .seconds(20))
    let server = try TinyHTTPServer { _ in .send(TinyHTTPServer.answer("{}")) }
    let transport = HTTPTransport(idleLifetime: .zero)
    for _ in 0..<3 {
      #expect(
        await transport.send(request(server.baseURL), timeout: 5)
          == .success(.init(status: 200, body: Data("{}".utf8))))
    }
    #expect(server.accepted == 3)
  }

  @Test("a kept-alive connection the server closed: a read goes again on a fresh one")
  func staleConnection() async throws {
    // The second request on any connection finds it closed, as after a server's idle timeout.
    let server = try TinyHTTPServer { request in
      request.index == 1 ? .close : .send(TinyHTTPServer.answer("{}"))
    }
    let transport = HTTPTransport(idleLifetime: .seconds(3600))
    let ok = HTTPTransport.Answer(status: 200, body: Data("{}".utf8))
    let first = await transport.send(request(server.baseURL), timeout: 5)
    #expect(first == .success(ok))
    let second = await transport.send(request(server.baseURL), timeout: 5)
    #expect(second == .success(ok), "\(second)")
    #expect(server.accepted == 2)
    #expect(server.requests.map { [$0.connection, $0.index] } == [[0, 0], [0, 1], [1, 0]])
  }

  @Test("a server that closes without answering: a read goes twice, a redeem is unknown")
  func closesWithoutAnswer() async throws {
    let server = try TinyHTTPServer { _ in .close }
    let client = client(server)
    let read = await clientError { try await client.voucher(code: "X") }
    guard case .unreachable = read else {
      Issue.record("expected unreachable, got \(String(describing: read))")
      return
    }
    #expect(server.requests.count == 2)
    let redeem = await clientError {
      try await client.redeem(
        attempt(RedemptionRequest(codes: [CodeRequest("X")], orderSourceId: "sale-1", items: cart)),
        deadline: Date().addingTimeInterval(5))
    }
    #expect(redeem == .outcomeUnknown(orderSourceId: "sale-1"))
    #expect(server.requests.count == 3, "the redeem was sent once")
  }

  @Test("a server that never answers: timed out at the deadline, unknown for a redeem")
  func neverAnswers() async throws {
    let server = try TinyHTTPServer { _ in .hang }
    let client = client(server, readTimeout: 0.5)
    #expect(await clientError { try await client.voucher(code: "X") } == .timedOut)
    let redeem = await clientError {
      try await client.redeem(
        attempt(RedemptionRequest(codes: [CodeRequest("X")], orderSourceId: "sale-2", items: cart)),
        deadline: Date().addingTimeInterval(0.5))
    }
    #expect(redeem == .outcomeUnknown(orderSourceId: "sale-2"))
    // Promptness as the server saw it: the test's own wall clock also counts the wait for a
    // cooperative thread, which other tests' blocking waits can hold for seconds.
    #expect(await eventually { server.closedByClient == 2 }, "both connections closed")
    #expect(server.hangs.count == 2)
    #expect(server.hangs.allSatisfy { $0 < .seconds(2) }, "\(server.hangs)")
  }

  @Test("an answer after the deadline is dropped and its connection closed, not kept")
  func lateAnswer() async throws {
    let server = try TinyHTTPServer { request in
      request.connection == 0
        ? .sendLate(TinyHTTPServer.answer("{}"), after: 0.6) : .send(TinyHTTPServer.answer("{}"))
    }
    let transport = HTTPTransport(idleLifetime: .seconds(3600))
    #expect(await transport.send(request(server.baseURL), timeout: 0.2) == .failure(.timedOut))
    #expect(await eventually { server.closedByClient == 1 })
    #expect(transport.idleCount == 0)
    let again = await transport.send(request(server.baseURL), timeout: 5)
    #expect(again == .success(.init(status: 200, body: Data("{}".utf8))))
    #expect(server.accepted == 2)
  }

  @Test("a refused port: not sent, and the client says unreachable")
  func refused() async throws {
    let url = URL(string: "http://127.0.0.1:\(refusedPort())")!
    guard case .failure(.notSent(let reason)) = await HTTPTransport().send(request(url), timeout: 5)
    else {
      Issue.record("expected notSent")
      return
    }
    #expect(reason.contains("refused"))
    let client = RESTClient(baseURL: url, appId: "a", token: "t")
    let redeem = await clientError {
      try await client.redeem(
        attempt(RedemptionRequest(codes: [CodeRequest("X")], orderSourceId: "o", items: cart)),
        deadline: Date().addingTimeInterval(5))
    }
    guard case .unreachable = redeem else {
      Issue.record("expected unreachable, got \(String(describing: redeem))")
      return
    }
  }

  @Test("oversize headers and bodies are failures, not crashes")
  func oversize() async throws {
    let big = String(repeating: "y", count: 70_000)
    let server = try TinyHTTPServer { request in
      switch request.target.split(separator: "/").last {
      case "header":
        .send(TinyHTTPServer.answer(body: Array("{}".utf8), extraHeaders: ["X-Big: \(big)"]))
      case "declared": .send(Array("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n".utf8))
      case "chunked":
        .send(TinyHTTPServer.answer(String(repeating: "z", count: 2000), chunkSize: 300))
      default: .send(TinyHTTPServer.answer(String(repeating: "z", count: 2000)))
      }
    }
    let transport = HTTPTransport(limits: .init(header: 64 << 10, body: 1000))
    for (path, words) in [
      ("/header", "headers are larger than 65536 bytes"), ("/declared", "larger than 1000 bytes"),
      ("/chunked", "larger than 1000 bytes"), ("/length", "larger than 1000 bytes"),
    ] {
      let answer = await transport.send(
        request(server.baseURL.appendingPathComponent(path)), timeout: 5)
      guard case .failure(.lost(let reason)) = answer else {
        Issue.record("\(path): expected lost, got \(answer)")
        continue
      }
      #expect(reason.contains(words), "\(path): \(reason)")
    }
    let read = await clientError { try await client(server).voucher(code: "header") }
    guard case .unreachable(let reason) = read else {
      Issue.record("expected unreachable, got \(String(describing: read))")
      return
    }
    #expect(reason.contains("headers are larger"))
  }

  @Test("answers that are not HTTP, or badly framed, are lost, never trusted")
  func malformed() async throws {
    let server = try TinyHTTPServer { request in
      switch request.target {
      case "/status": .send(Array("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n".utf8))
      case "/length": .send(Array("HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n".utf8))
      case "/chunk":
        .send(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8))
      default: .send(Array("SSH-2.0-OpenSSH\r\n\r\n".utf8))
      }
    }
    for path in ["/status", "/length", "/chunk", "/other"] {
      let answer = await HTTPTransport().send(
        request(server.baseURL.appendingPathComponent(path)), timeout: 5)
      guard case .failure(.lost) = answer else {
        Issue.record("\(path): expected lost, got \(answer)")
        continue
      }
    }
  }

  @Test("Connection: close and HTTP/1.0 answers are not kept")
  func notKept() async throws {
    let server = try TinyHTTPServer { request in
      request.target == "/close"
        ? .send(TinyHTTPServer.answer(body: Array("{}".utf8), extraHeaders: ["Connection: close"]))
        : .send(Array("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}".utf8))
    }
    let transport = HTTPTransport(idleLifetime: .seconds(3600))
    for path in ["/close", "/close", "/old", "/old"] {
      let answer = await transport.send(
        request(server.baseURL.appendingPathComponent(path)), timeout: 5)
      #expect(answer == .success(.init(status: 200, body: Data("{}".utf8))), "\(path)")
    }
    #expect(server.accepted == 4)
    #expect(transport.idleCount == 0)
  }
}

@Suite("HTTPS through libcurl, loaded on first use")
struct HTTPSTransportTests {
  @Test("https to a refused port: libcurl loads, and the client says unreachable")
  func refused() async throws {
    let url = URL(string: "https://127.0.0.1:\(refusedPort())")!
    guard case .failure(.notSent(let reason)) = await HTTPTransport().send(request(url), timeout: 5)
    else {
      Issue.record("expected notSent")
      return
    }
    #expect(!reason.contains("could not be loaded"), "\(reason)")
    let read = await clientError {
      try await RESTClient(baseURL: url, appId: "a", token: "t").voucher(code: "X")
    }
    guard case .unreachable = read else {
      Issue.record("expected unreachable, got \(String(describing: read))")
      return
    }
  }

  @Test("https over TLS (python3's ssl): answers, headers, bodies, a kept-alive connection")
  func exchange() async throws {
    let server = try TLSTestServer()
    defer { server.stop() }
    let transport = HTTPTransport(trustedCertificates: TLSTestServer.certificate)
    var read = request(URL(string: "https://localhost:\(server.port)/v1/vouchers/A%2FB?q=%2B46")!)
    read.headers.append((name: "X-App-Id", value: "app_9"))
    let first = try fields(await transport.send(read, timeout: 10))
    #expect(first["path"] as? String == "/v1/vouchers/A%2FB?q=%2B46")
    #expect(first["app_id"] as? String == "app_9")
    let second = try fields(await transport.send(read, timeout: 10))
    #expect(second["client_port"] as? Int == first["client_port"] as? Int, "one connection")
    let post = request(
      URL(string: "https://127.0.0.1:\(server.port)/v1/redemptions")!, "POST",
      body: #"{"order": 1}"#, safe: false)
    let posted = try fields(await transport.send(post, timeout: 10))
    #expect(posted["body"] as? String == #"{"order": 1}"#)
    #expect(posted["client_port"] as? Int != first["client_port"] as? Int, "a fresh connection")
  }

  @Test("https to a certificate nobody trusts: nothing was sent, unreachable")
  func untrusted() async throws {
    let server = try TLSTestServer()
    defer { server.stop() }
    let url = URL(string: "https://127.0.0.1:\(server.port)")!
    guard case .failure(.notSent) = await HTTPTransport().send(request(url), timeout: 10) else {
      Issue.record("expected notSent")
      return
    }
    let read = await clientError {
      try await RESTClient(baseURL: url, appId: "a", token: "t").voucher(code: "X")
    }
    guard case .unreachable = read else {
      Issue.record("expected unreachable, got \(String(describing: read))")
      return
    }
  }

  private func fields(_ answer: Result<HTTPTransport.Answer, TransportFailure>) throws
    -> [String: Any]
  {
    guard case .success(let answer) = answer, answer.status == 200 else {
      Issue.record("expected 200, got \(answer)")
      return [:]
    }
    return try JSONSerialization.jsonObject(with: answer.body) as? [String: Any] ?? [:]
  }
}

/// `Fixtures/tls_server.py` under python3, for one test: a TLS server with a certificate
/// for localhost and 127.0.0.1 (`certificate`).
final class TLSTestServer {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")
  static var certificate: String { fixtures.appendingPathComponent("localhost.pem").path }

  let port: Int
  private let process = Process()
  private let input = Pipe()

  init() throws {
    let output = Pipe()
    let errors = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", Self.fixtures.appendingPathComponent("tls_server.py").path]
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // The first line is the port; the pipe ends early only when the server failed.
    var line = Data()
    while !line.contains(10) {
      let more = output.fileHandleForReading.availableData
      if more.isEmpty { break }
      line += more
    }
    let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard let port = Int(text) else {
      process.terminate()
      let why = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      throw CocoaError(
        .executableLoad, userInfo: [NSLocalizedDescriptionKey: "tls_server.py: \(why)"])
    }
    self.port = port
  }

  /// Closing its input ends the server.
  func stop() {
    try? input.fileHandleForWriting.close()
    process.waitUntilExit()
  }
}

@Test(
  "every client's request URL: each path segment percent-encoded, a base path kept, + in the query sent as %2B"
)
func requestURLs() throws {
  let base = try #require(URL(string: "http://till.example:8080/vouchers/"))
  let url = HTTPTransport.url(
    base, ["v1", "vouchers", "A/B?C#D%E;F G"], query: [("phone", "+46 70"), ("q", "a&b=c")])
  #expect(
    url?.absoluteString
      == "http://till.example:8080/vouchers/v1/vouchers/A%2FB%3FC%23D%25E%3BF%20G?phone=%2B46%2070&q=a%26b%3Dc"
  )
  let bare = HTTPTransport.url(try #require(URL(string: "http://h")), ["x"], query: [])
  #expect(bare?.absoluteString == "http://h/x")
}
