import Foundation
import Synchronization
import TestSupport
import Testing
import VoucherEngine
import VoucherServer

/// Text with NUL or other control characters, at every entry point: refused, naming the
/// field, so nothing is stored cut at U+0000 (which merged two orders, two codes and two
/// customers) or with an escape sequence in it; and whatever is printed shows control
/// characters visibly.
@Suite("Text integrity", .serialized)
struct TextIntegrityTests {
  /// Every text field of every body the API reads, with a NUL in it: (route, body, field).
  static let poisoned: [(String, String, String)] = [
    ("/v1/customers", #"{"source_id":"dup\u0000one","name":"A"}"#, "source_id"),
    ("/v1/customers", #"{"source_id":"c1","name":"A\u0000B"}"#, "name"),
    ("/v1/customers", #"{"source_id":"c1","email":"a\u0000@example.com"}"#, "email"),
    ("/v1/customers", #"{"source_id":"c1","phone":"+4670\u00001234567"}"#, "phone"),
    ("/v1/customers", #"{"source_id":"c1","member_number":"M\u00001"}"#, "member_number"),
    ("/v1/customers", #"{"source_id":"c1","metadata":{"note":"a\u0000b"}}"#, "metadata.note"),
    ("/v1/customers", #"{"source_id":"c1","metadata":{"k\u0000":"v"}}"#, "member name"),
    (
      "/v1/vouchers",
      #"{"code":"DUP\u0000ONE","type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100}}"#,
      "code"
    ),
    (
      "/v1/vouchers",
      #"{"code":"C-1","campaign":"x\u0000y","type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100}}"#,
      "campaign"
    ),
    (
      "/v1/vouchers",
      #"{"code":"C-1","customer":"c\u0000","type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100}}"#,
      "customer"
    ),
    (
      "/v1/vouchers",
      #"{"code":"C-1","metadata":{"m":"\u0000"},"type":"DISCOUNT_VOUCHER","discount":{"type":"AMOUNT","amount_off":100}}"#,
      "metadata.m"
    ),
    (
      "/v1/redemptions",
      #"{"redeemables":[{"object":"voucher","id":"OK\u0000X"}],"order":{"amount":100}}"#,
      "redeemables[0].id"
    ),
    (
      "/v1/redemptions",
      #"{"redeemables":[{"object":"voucher","id":"OK-1"}],"order":{"id":"sale\u0000A","amount":100}}"#,
      "order.id"
    ),
    (
      "/v1/redemptions",
      #"{"redeemables":[{"object":"voucher","id":"OK-1"}],"order":{"source_id":"sale\u0000B","amount":100}}"#,
      "order.source_id"
    ),
    (
      "/v1/redemptions",
      #"{"redeemables":[{"object":"voucher","id":"OK-1"}],"customer":{"source_id":"c\u0000"},"order":{"amount":100}}"#,
      "customer.source_id"
    ),
    (
      "/v1/redemptions",
      #"{"redeemables":[{"object":"voucher","id":"OK-1"}],"order":{"items":[{"product_id":"p\u0000","quantity":1,"price":100}]}}"#,
      "order.items[0].product_id"
    ),
    (
      "/v1/validations",
      #"{"redeemables":[{"object":"voucher","id":"OK-1"}],"order":{"amount":100,"metadata":{"till":"T\u00001"}}}"#,
      "order.metadata.till"
    ),
    (
      "/v1/validations",
      #"{"redeemables":[{"object":"voucher","id":"OK-1\u001b[2J"}],"order":{"amount":100}}"#,
      "redeemables[0].id"
    ),
    ("/v1/vouchers/OK-1/reactivate", #"{"reason":"r\u0000"}"#, "reason"),
    ("/v1/vouchers/OK-1/reactivate", #"{"reason":"returned","by":"Omar\u001b]0;x\u0007"}"#, "by"),
  ]

  @Test("NUL and control characters in every text field of every body get 400 naming the field")
  func poisonedBodies() async throws {
    try await blocking {
      let engine = try freshEngine(clock: SystemClock())
      try engine.createVoucher(VoucherDraft(code: "OK-1", kind: .discount(.amount(100))))
      let live = try LiveServer(engine: engine)
      let before = try engine.counts()
      for (route, body, field) in Self.poisoned {
        let answer = socketRaw(
          "POST", port: live.server.port, route, headers: live.headers(.admin),
          body: Data(body.utf8))
        let details = answer.json["details"] as? String ?? ""
        #expect(answer.status == 400, "\(route) \(field): \(answer.status) \(details)")
        #expect(details.contains(field) && details.contains("control character"), "\(details)")
      }
      let after = try engine.counts()
      #expect(before.customers == after.customers && before.vouchers == after.vouchers)
      #expect(after.redemptions == 0)
    }
  }

  @Test("line breaks pass only where documented: metadata values and reasons")
  func documentedLineBreaks() async throws {
    try await blocking {
      let engine = try freshEngine(clock: SystemClock())
      let live = try LiveServer(engine: engine)
      let url = "/v1/customers"
      let fine = socketRaw(
        "POST", port: live.server.port, url, headers: live.headers(.admin),
        body: Data(#"{"source_id":"c1","metadata":{"note":"line one\nline two"}}"#.utf8))
      #expect(fine.status == 200)
      let refused = socketRaw(
        "POST", port: live.server.port, url, headers: live.headers(.admin),
        body: Data(#"{"source_id":"c2","name":"line one\nline two"}"#.utf8))
      #expect(refused.status == 400)
    }
  }

  @Test("control characters in the path or a query parameter get 400 naming it")
  func poisonedTargets() async throws {
    try await blocking {
      let engine = try freshEngine(clock: SystemClock())
      try engine.upsertCustomer(CustomerDraft(sourceId: "alice", name: "Alice"))
      let live = try LiveServer(engine: engine)
      let cases: [(String, String)] = [
        ("/v1/customers?q=ali%00ce", "the query parameter q"),
        ("/v1/customers?q=ali%1Bce", "the query parameter q"),
        ("/v1/vouchers?customer=alice%00x", "the query parameter customer"),
        ("/v1/vouchers/A%00B", "the path"),
        ("/v1/customers/alice%0D%0Ax", "the path"),
        ("/v1/vouchers/%FF%FE", "not UTF-8"),
      ]
      for (target, named) in cases {
        let answer = socketRaw(
          "GET", port: live.server.port, target, headers: live.headers(.cashier))
        let details = answer.json["details"] as? String ?? ""
        #expect(answer.status == 400, "\(target): \(answer.status)")
        #expect(details.contains(named), "\(target): \(details)")
      }
    }
  }

  @Test("codes: the documented alphabet; every demo code passes, a / is refused at creation")
  func codeAlphabet() async throws {
    try await blocking {
      let catalog = try String(
        contentsOf: packageRoot.appendingPathComponent("Assets/demo/demo.json"), encoding: .utf8)
      let codes = catalog.components(separatedBy: "\"code\": \"").dropFirst().map {
        String($0.prefix { $0 != "\"" })
      }
      #expect(codes.count >= 40)
      for code in codes + ["ALICE-10OFF-2026", "GIFT-ALICE-500", "A.B_C-9"] {
        #expect(throws: Never.self) { try SafeText.checkCode(code) }
      }
      let engine = try freshEngine()
      for bad in [
        "A/B", "DUP\u{0}ONE", "ÅSA", "A B", "A%B", "A?B", String(repeating: "A", count: 101),
      ] {
        #expect(throws: Refusal.self, "\(bad.debugDescription)") {
          try engine.createVoucher(VoucherDraft(code: bad, kind: .discount(.amount(100))))
        }
      }
      // Typed codes are trimmed and upper-cased before the check.
      let typed = try engine.createVoucher(
        VoucherDraft(code: " summer-10\n", kind: .discount(.amount(100))))
      #expect(typed.code == "SUMMER-10")
      #expect(throws: Reason.self) { try CodePattern("BAD/####") }
      #expect(throws: Never.self) { try CodePattern("welcome-####-??**") }
    }
  }

  @Test("the access log escapes control characters and bounds the target")
  func accessLogEscapes() async throws {
    try await blocking {
      let lines = LockedLines()
      let engine = try freshEngine(clock: SystemClock())
      let live = try LiveServer(engine: engine, accessLog: AccessLog { lines.append($0) })
      let socket = try #require(RawSocket(port: live.server.port))
      let forged =
        "/v1/x\u{1B}[2J\u{7}\rFAKE 200 0.1ms req_forged app=admin"
        + String(
          repeating: "A", count: 15_000)
      socket.send(Array("GET \(forged) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
      _ = try #require(socket.response(timeout: 10))
      let logged = lines.all
      #expect(logged.count == 1)
      let line = try #require(logged.first)
      #expect(!line.unicodeScalars.contains { SafeText.isControl($0) }, "\(line.debugDescription)")
      #expect(line.contains(#"\x1b[2J\x07\rFAKE"#))
      #expect(line.utf8.count < 500, "a log line of \(line.utf8.count) bytes")
    }
  }

  @Test("SafeText.visible shows every control character and bounds the length")
  func visible() {
    #expect(SafeText.visible("plain Åsa 山田") == "plain Åsa 山田")
    #expect(SafeText.visible("a\u{1B}[31mb") == #"a\x1b[31mb"#)
    #expect(SafeText.visible("\u{0}\n\r\t\u{7F}") == #"\x00\n\r\t\x7f"#)
    #expect(SafeText.visible("x\u{9B}y\u{202E}z") == #"x\u{9b}y\u{202e}z"#)
    #expect(SafeText.visible("abcdef", limit: 3) == "abc…(3 more)")
    #expect(SafeText.firstControl(in: "ok\nok", allowingLineBreaks: true) == nil)
    #expect(SafeText.firstControl(in: "ok\u{0}", allowingLineBreaks: true) == "\u{0}")
  }

  @Test("the command line refuses control characters in arguments and prints stored ones visibly")
  func commandLine() async throws {
    try await blocking {
      let database = try freshDatabasePath()
      let engine = try VoucherEngine(path: database)
      try engine.upsertCustomer(CustomerDraft(sourceId: "eve", name: "Eve Example"))
      try engine.createVoucher(
        VoucherDraft(code: "EVE-1", kind: .discount(.amount(100)), holder: "eve"))
      let refused = try runEngine(["customers", "find", "Eve\u{1B}[2J", "--db", database])
      #expect(refused.status == 2)
      #expect(refused.error.contains("control character (U+001B)"), "\(refused.error)")
      let option = try runEngine([
        "reactivate", "EVE-1", "--reason", "fine", "--by", "O\u{7}mar", "--db", database,
      ])
      #expect(option.status == 2 && option.error.contains("--by"), "\(option.error)")

      // A database written before these checks may hold escape sequences: they are shown.
      let shell = try runCapturing(
        URL(fileURLWithPath: "/usr/bin/sqlite3"),
        [
          database,
          "UPDATE customers SET name = 'Eve ' || char(27) || '[31mRED' WHERE source_id = 'eve';"
            + "UPDATE vouchers SET campaign = 'C' || char(27) || ']0;owned' || char(7) WHERE code = 'EVE-1';",
        ])
      #expect(shell.status == 0, "sqlite3: \(shell.error)")
      let found = try runEngine(["customers", "find", "eve", "--db", database])
      #expect(found.status == 0)
      #expect(!found.output.unicodeScalars.contains { $0 == "\u{1B}" }, "\(found.output)")
      #expect(found.output.contains(#"Eve \x1b[31mRED"#), "\(found.output)")
      let shown = try runEngine(["voucher", "show", "EVE-1", "--db", database])
      #expect(!shown.output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{7}" })
    }
  }

  @Test("a CSV row with a control character is rejected with its line, and the others go through")
  func csvImport() async throws {
    try await blocking {
      let folder = serverTestFolder.appendingPathComponent(UUID().uuidString)
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      let csv = folder.appendingPathComponent("customers.csv").path
      try "source_id,name\nok-1,Ann\nbad-1,Bo\u{1B}[2Jb\nok-2,Cy\n".write(
        toFile: csv, atomically: true, encoding: .utf8)
      let database = folder.appendingPathComponent("engine.sqlite").path
      let run = try runEngine([
        "issue", "--customers", csv, "--batch", "b1", "--amount", "10", "--db", database,
      ])
      #expect(run.status == 0 || run.status == 1, "\(run.error)")
      let rejects = try String(contentsOfFile: csv + ".rejects.csv", encoding: .utf8)
      #expect(rejects.contains("control character"), "\(rejects)")
      #expect(!rejects.unicodeScalars.contains { $0 == "\u{1B}" })
      let engine = try VoucherEngine(path: database)
      #expect(try engine.customer("ok-1") != nil && engine.customer("ok-2") != nil)
      #expect(try engine.findCustomers("Bo").isEmpty)
    }
  }
}

/// Lines collected from the server's threads.
final class LockedLines: Sendable {
  private let lines = Mutex<[String]>([])
  func append(_ line: String) { lines.withLock { $0.append(line) } }
  var all: [String] { lines.withLock { $0 } }
}

/// Runs `voucher-engine` to its end (bounded: 60 s).
func runEngine(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
  try runCapturing(try voucherEngineExecutable(), arguments)
}

func runCapturing(_ executable: URL, _ arguments: [String]) throws -> (
  status: Int32, output: String, error: String
) {
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  let output = Pipe()
  let errors = Pipe()
  process.standardOutput = output
  process.standardError = errors
  try process.run()
  let deadline = Date().addingTimeInterval(60)
  let out = output.fileHandleForReading.readDataToEndOfFile()
  let err = errors.fileHandleForReading.readDataToEndOfFile()
  while process.isRunning, Date() < deadline { usleep(10_000) }
  if process.isRunning { process.terminate() }
  process.waitUntilExit()
  return (
    process.terminationStatus, String(decoding: out, as: UTF8.self),
    String(decoding: err, as: UTF8.self)
  )
}
