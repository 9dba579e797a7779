import Foundation
import TestSupport
import Testing
import VoucherEngine

/// Clients that try to break `serve`, each while a normal client (a fresh connection from
/// 127.0.0.1 asking GET /health) checks that it is still served. Loops are bounded in count
/// and time; the deadlines are set short with serve's own flags.
extension LoadTests {
  @Suite("Hostile clients: the server keeps serving the others", .serialized)
  struct HostileClientTests {
    static let shortDeadlines = ["--timeout", "2", "--header-timeout", "1", "--body-timeout", "1"]

    @Test(
      "1,020 connections from one address, idle or trickling, never stop another client being served",
      arguments: [0, 16])
    func floodFromOneAddress(threads: Int) async throws {
      try await blocking {
        let database = try servedDatabase()
        let serve = try ServedEngine(
          database: database.path, ["--threads", "\(threads)"] + Self.shortDeadlines)
        var flood: [RawSocket] = []
        for index in 0..<1020 {
          guard let socket = RawSocket(port: serve.port, source: "127.0.0.2") else { continue }
          // Half of them trickle a request line, a byte at a time.
          if index % 2 == 1 { socket.send("G") }
          flood.append(socket)
        }
        #expect(flood.count >= 1000, "the flood could open only \(flood.count) connections")
        var served = 0
        for round in 0..<20 {
          for (index, socket) in flood.enumerated() where index % 2 == 1 {
            socket.send(round % 2 == 0 ? "E" : "T")
          }
          if normalClientStatus(port: serve.port) == 200 { served += 1 }
        }
        #expect(served == 20, "the normal client was served \(served) times of 20")
        serve.signal(SIGTERM)
        #expect(serve.waitForExit(timeout: 30) == 0)
      }
    }

    @Test("near the overall limit the longest-idle connections are closed, so a new client gets in")
    func floodFromManyAddresses() async throws {
      try await blocking {
        let database = try servedDatabase()
        let serve = try ServedEngine(
          database: database.path, ["--max-connections", "200", "--per-address", "64"])
        // 12 addresses × 40 idle connections: more than the server holds in all.
        var flood: [RawSocket] = []
        for address in 2..<14 {
          for _ in 0..<40 {
            if let socket = RawSocket(port: serve.port, source: "127.0.0.\(address)") {
              flood.append(socket)
            }
          }
        }
        #expect(flood.count >= 400)
        var served = 0
        // A connection refused at the very limit (while closed ones are still being cleaned
        // up) is tried again, up to three times, as a till does.
        for _ in 0..<20 {
          let attempts = (0..<3).lazy.map { _ in normalClientStatus(port: serve.port) }
          if attempts.contains(200) { served += 1 }
        }
        #expect(served == 20, "the normal client was served \(served) times of 20")
        // The server closed idle ones to stay under its limit.
        let closed = flood.filter { $0.waitForClose(timeout: 0.01) }.count
        #expect(closed >= flood.count - 200, "only \(closed) of \(flood.count) were closed")
      }
    }

    @Test("slowloris: headers that trickle in are cut at the header deadline")
    func slowHeaders() async throws {
      try await blocking {
        let database = try servedDatabase()
        let serve = try ServedEngine(database: database.path, Self.shortDeadlines)
        let slow = try #require(RawSocket(port: serve.port))
        slow.send("GET /health HTTP/1.1\r\nHost: x\r\n")
        var sent = 0
        // Bounded: a header line every 100 ms for at most 10 s; the deadline is 1 s.
        while sent < 100, slow.send("X-Slow-\(sent): 1\r\n") {
          if slow.waitForClose(timeout: 0.1) { break }
          sent += 1
          #expect(normalClientStatus(port: serve.port) == 200)
        }
        #expect(slow.closed, "a trickling request was still open after \(sent) header lines")
        #expect(slow.response(timeout: 0) == nil)
      }
    }

    @Test("a request line that trickles in is cut at the idle deadline")
    func slowRequestLine() async throws {
      try await blocking {
        let database = try servedDatabase()
        let serve = try ServedEngine(database: database.path, Self.shortDeadlines)
        let slow = try #require(RawSocket(port: serve.port))
        var sent = 0
        while sent < 100, slow.send("G") {
          if slow.waitForClose(timeout: 0.1) { break }
          sent += 1
        }
        #expect(slow.closed, "a trickling request line was still open after \(sent) bytes")
        #expect(normalClientStatus(port: serve.port) == 200)
      }
    }

    @Test("a body that stalls is cut at the body deadline, and nothing of it is run")
    func stalledBody() async throws {
      try await blocking {
        let database = try servedDatabase()
        let serve = try ServedEngine(database: database.path, Self.shortDeadlines)
        let stalled = try #require(RawSocket(port: serve.port))
        stalled.send(
          "POST /v1/validations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: 100\r\n\r\n{\"redeemables\":")
        #expect(stalled.waitForClose(timeout: 10), "a stalled upload was still open after 10 s")
        #expect(normalClientStatus(port: serve.port) == 200)
      }
    }

    @Test("a 100 MiB body is refused with 413 from its headers, and the connection closed")
    func hugeBody() async throws {
      try await blocking {
        let database = try servedDatabase()
        let serve = try ServedEngine(database: database.path)
        let huge = try #require(RawSocket(port: serve.port))
        huge.send(
          "POST /v1/validations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(100 * 1024 * 1024)\r\n\r\n")
        let answer = try #require(huge.response(timeout: 10))
        #expect(answer.status == 413)
        #expect(answer.header("Connection")?.lowercased() == "close")
        let mebibyte = [UInt8](repeating: UInt8(ascii: "x"), count: 1024 * 1024)
        var sent = 0
        while sent < 100, huge.send(mebibyte) { sent += 1 }
        #expect(huge.waitForClose(timeout: 10))
        #expect(sent < 100, "the server read all 100 MiB")

        // The same without a declared length: chunks dropped past the limit, then closed.
        let chunked = try #require(RawSocket(port: serve.port))
        chunked.send(
          "POST /v1/validations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = Array("100000\r\n".utf8) + mebibyte + Array("\r\n".utf8)
        sent = 0
        while sent < 100, chunked.send(chunk) { sent += 1 }
        #expect(chunked.waitForClose(timeout: 10))
        #expect(sent < 100, "the server read all 100 MiB of chunks")
        #expect(normalClientStatus(port: serve.port) == 200)
      }
    }

    @Test("pipelined requests are answered in order on one connection")
    func pipelined() async throws {
      try await blocking {
        let codes = (0..<10).map { "PIPE-\($0)" }
        let database = try servedDatabase { engine in
          for code in codes {
            try engine.createVoucher(VoucherDraft(code: code, kind: .discount(.amount(100))))
          }
        }
        let serve = try ServedEngine(database: database.path)
        let socket = try #require(RawSocket(port: serve.port))
        let key = credentials(database.keys[.cashier]!)
        let body = { (code: String) in
          Array(
            #"{"redeemables":[{"object":"voucher","id":"\#(code)"}],"order":{"amount":1000}}"#.utf8)
        }
        // GETs and POSTs with bodies, all in one write.
        var bytes: [UInt8] = []
        for (index, code) in codes.enumerated() {
          bytes +=
            index % 2 == 0
            ? rawRequest("GET", "/v1/vouchers/\(code)", headers: key)
            : rawRequest("POST", "/v1/validations", headers: key, body: body(code))
        }
        socket.send(bytes)
        for code in codes {
          let answer = try #require(socket.response(timeout: 10), "no answer for \(code)")
          #expect(answer.status == 200)
          #expect(answer.text.contains("\"\(code)\""), "answers out of order: \(code)")
        }
      }
    }

    @Test("Content-Length with Transfer-Encoding gets 400 and the connection is closed")
    func lengthAndChunked() async throws {
      try await blocking {
        let database = try servedDatabase()
        let serve = try ServedEngine(database: database.path)
        let socket = try #require(RawSocket(port: serve.port))
        socket.send(
          "POST /v1/validations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try #require(socket.response(timeout: 10))
        #expect(answer.status == 400)
        #expect(answer.header("Connection")?.lowercased() == "close")
        #expect(socket.waitForClose(timeout: 10))
        #expect(
          socket.response(timeout: 0) == nil, "a request smuggled after the body was answered")
      }
    }

    /// Bodies no till sends, each refused with 400 and the error object.
    @Test("malformed and extreme bodies get 400 and the server keeps serving")
    func extremeBodies() async throws {
      try await blocking {
        let database = try servedDatabase { engine in
          try engine.createVoucher(VoucherDraft(code: "OK-1", kind: .discount(.amount(100))))
        }
        let serve = try ServedEngine(database: database.path)
        let key = credentials(database.keys[.admin]!)
        func redeemable(_ code: String) -> String { #"{"object":"voucher","id":"\#(code)"}"# }
        let items = Array(repeating: #"{"product_id":"p","quantity":1,"price":100}"#, count: 10_000)
        let bodies: [(String, [UInt8])] = [
          (
            "invalid UTF-8",
            Array(#"{"redeemables":[{"object":"voucher","id":""#.utf8) + [0xFF, 0xFE]
              + Array(#""}],"order":{"amount":100}}"#.utf8)
          ),
          ("10,000-deep JSON", Array((String(repeating: "[", count: 10_000)).utf8)),
          (
            "10,000-deep object",
            Array(
              (#"{"redeemables":"# + String(repeating: #"{"a":"#, count: 10_000) + "1"
                + String(repeating: "}", count: 10_001)).utf8)
          ),
          (
            "an amount beyond Int64",
            Array(
              #"{"redeemables":[\#(redeemable("OK-1"))],"order":{"amount":99999999999999999999}}"#
                .utf8)
          ),
          (
            "a negative amount",
            Array(#"{"redeemables":[\#(redeemable("OK-1"))],"order":{"amount":-100}}"#.utf8)
          ),
          (
            "a negative price",
            Array(
              #"{"redeemables":[\#(redeemable("OK-1"))],"order":{"items":[{"product_id":"p","quantity":1,"price":-5}]}}"#
                .utf8)
          ),
          (
            "a huge quantity",
            Array(
              #"{"redeemables":[\#(redeemable("OK-1"))],"order":{"items":[{"product_id":"p","quantity":9223372036854775807,"price":100}]}}"#
                .utf8)
          ),
          (
            "10,000 items",
            Array(
              #"{"redeemables":[\#(redeemable("OK-1"))],"order":{"items":[\#(items.joined(separator: ","))]}}"#
                .utf8)
          ),
          (
            "31 redeemables",
            Array(
              #"{"redeemables":[\#((0..<31).map { redeemable("C\($0)") }.joined(separator: ","))],"order":{"amount":100}}"#
                .utf8)
          ),
          ("a number as the body", Array("1e999999".utf8)),
        ]
        for (name, body) in bodies {
          for route in ["/v1/validations", "/v1/redemptions"] {
            let socket = try #require(RawSocket(port: serve.port))
            socket.send(rawRequest("POST", route, headers: key, body: body))
            let answer = socket.response(timeout: 10)
            #expect(answer?.status == 400, "\(name) on \(route): \(answer?.text ?? "no answer")")
            #expect(
              answer?.text.contains("\"request_id\"") == true, "\(name): not the error object")
          }
          #expect(normalClientStatus(port: serve.port) == 200, "not served after \(name)")
        }
      }
    }
  }
}
