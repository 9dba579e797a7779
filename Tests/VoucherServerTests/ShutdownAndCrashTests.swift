import Foundation
import Synchronization
import TestSupport
import Testing
import VoucherEngine

/// What tills saw of their redemptions: acknowledged (order → redemption id) and sent
/// without an answer.
final class Ledger: Sendable {
  private let state = Mutex<(acknowledged: [String: String], unanswered: [String])>(([:], []))

  func acknowledged(_ order: String, _ id: String) {
    state.withLock { $0.acknowledged[order] = id }
  }
  func unanswered(_ order: String) { state.withLock { $0.unanswered.append(order) } }
  var acknowledged: [String: String] { state.withLock { $0.acknowledged } }
  var unanswered: [String] { state.withLock { $0.unanswered } }
}

/// A till redeeming in a loop on one keep-alive connection (or a fresh one per redemption)
/// until the server goes away or `limit` attempts are made.
func redeemLoop(
  port: Int, key: [String: String], prefix: String, codes: [String], limit: Int,
  keepAlive: Bool, ledger: Ledger
) {
  var socket = RawSocket(port: port)
  for attempt in 0..<limit {
    if socket == nil || !keepAlive { socket = RawSocket(port: port) }
    guard let connection = socket else { return }
    let order = "\(prefix)-\(attempt)"
    let code = codes[attempt % codes.count]
    let body = Array(
      #"{"redeemables":[{"object":"voucher","id":"\#(code)"}],"order":{"source_id":"\#(order)","amount":1000}}"#
        .utf8)
    guard connection.send(rawRequest("POST", "/v1/redemptions", headers: key, body: body)) else {
      return
    }
    guard let answer = connection.response(timeout: 20) else {
      ledger.unanswered(order)
      return
    }
    if answer.status == 200,
      let json = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any],
      let id =
        ((json["parent_redemption"] as? [String: Any])?["id"]
        ?? (json["redemptions"] as? [[String: Any]])?.first?["id"]) as? String
    {
      ledger.acknowledged(order, id)
    }
    if answer.header("Connection")?.lowercased() == "close" { socket = nil }
  }
}

/// Starts `count` till threads; the returned group is done when all have ended.
func startTills(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> DispatchGroup {
  let group = DispatchGroup()
  for index in 0..<count {
    group.enter()
    let thread = Thread {
      body(index)
      group.leave()
    }
    thread.start()
  }
  return group
}

/// Polls `condition` every 10 ms for up to `timeout` seconds.
func eventually(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(timeout)
  while Date() < deadline {
    if condition() { return true }
    usleep(10_000)
  }
  return condition()
}

/// The checks after a run: the file is sound, every acknowledged redemption is there, no
/// voucher is over its limit, and each voucher's counter equals its redemption rows.
func checkDatabase(_ path: String, acknowledged: [String: String], codes: [String]) throws {
  let store = try SQLiteStore(path: path)
  #expect(try store.integrityCheck() == ["ok"])
  let engine = VoucherEngine(store: store)
  for (order, id) in acknowledged {
    #expect(try engine.redemption(id: id) != nil, "acknowledged \(order) (\(id)) is missing")
  }
  for code in codes {
    let voucher = try #require(try engine.voucher(code: code))
    let rows = try allRedemptions(engine, code: code)
    #expect(voucher.redeemedQuantity == Int64(rows.count), "\(code): counter ≠ rows")
    if let quantity = voucher.quantity {
      #expect(voucher.redeemedQuantity <= quantity, "\(code) is over its limit")
    }
  }
}

/// Every redemption of `code`, page by page.
func allRedemptions(_ engine: VoucherEngine, code: String) throws -> [Redemption] {
  var all: [Redemption] = []
  for page in 1...1000 {
    var query = RedemptionQuery(code: code, limit: 1000)
    query.page = page
    let found = try engine.redemptions(query)
    all += found
    if found.count < 1000 { break }
  }
  return all
}

extension LoadTests {
  @Suite("SIGTERM and crashes", .serialized)
  struct ShutdownAndCrashTests {
    @Test(
      "SIGTERM under keep-alive redeem load, with idle, slow and stalled connections: every committed redemption was answered, exit 0 within the bound"
    )
    func sigtermUnderLoad() async throws {
      try await blocking {
        let database = try servedDatabase { engine in
          try engine.createVoucher(VoucherDraft(code: "SOAK", kind: .discount(.amount(1))))
        }
        let serve = try ServedEngine(database: database.path, ["--drain-timeout", "2"])
        let idle = (0..<5).compactMap { _ in RawSocket(port: serve.port) }
        let slow = (0..<3).compactMap { _ in RawSocket(port: serve.port) }
        for socket in slow { socket.send("POST /v1/redemptions HTTP/1.1\r\nHost: x\r\n") }
        let stalled = try #require(RawSocket(port: serve.port))
        stalled.send(
          rawRequest("POST", "/v1/redemptions", headers: credentials(database.keys[.cashier]!))
            .dropLast(2) + Array("Content-Length: 500\r\n\r\n{\"redeemables\":".utf8))
        let ledger = Ledger()
        let key = credentials(database.keys[.cashier]!)
        let port = serve.port
        let tills = startTills(6) { till in
          redeemLoop(
            port: port, key: key, prefix: "t\(till)", codes: ["SOAK"], limit: 400, keepAlive: true,
            ledger: ledger)
        }
        #expect(eventually(timeout: 30) { ledger.acknowledged.count >= 60 })
        let stopped = Date()
        serve.signal(SIGTERM)
        let status = serve.waitForExit(timeout: 30)
        let took = Date().timeIntervalSince(stopped)
        #expect(status == 0, "serve exited with \(status.map(String.init) ?? "nothing in 30 s")")
        // The bound: the drain (2 s) for requests being read, as long again for handlers, and
        // a second for the last answers; with room for a loaded machine.
        #expect(took < 15, "SIGTERM took \(took) s")
        #expect(tills.wait(timeout: .now() + 30) == .success)
        _ = (idle, slow)

        let store = try SQLiteStore(path: database.path)
        let rows = try allRedemptions(VoucherEngine(store: store), code: "SOAK")
        let acknowledged = ledger.acknowledged
        let committed = Set(rows.compactMap(\.order.sourceId))
        let unansweredCommits = committed.subtracting(acknowledged.keys)
        #expect(
          unansweredCommits.isEmpty, "committed without an answer: \(unansweredCommits.sorted())")
        #expect(Set(acknowledged.keys).isSubset(of: committed))
        try checkDatabase(database.path, acknowledged: acknowledged, codes: ["SOAK"])
      }
    }

    @Test(
      "serve SIGKILLed 20 times under redeem load and restarted on the same file loses nothing acknowledged"
    )
    func crashAndRestart() async throws {
      try await blocking {
        let codes = ["LIMITED", "OPEN"]
        let database = try servedDatabase { engine in
          try engine.createVoucher(
            VoucherDraft(code: "LIMITED", kind: .discount(.amount(10)), quantity: 150))
          try engine.createVoucher(VoucherDraft(code: "OPEN", kind: .discount(.amount(10))))
        }
        let key = credentials(database.keys[.cashier]!)
        let ledger = Ledger()
        var generator = SystemRandomNumberGenerator()
        for cycle in 0..<20 {
          let serve = try ServedEngine(database: database.path)
          let before = ledger.acknowledged.count
          let port = serve.port
          let tills = startTills(4) { till in
            redeemLoop(
              port: port, key: key, prefix: "c\(cycle)-t\(till)", codes: codes, limit: 400,
              keepAlive: till % 2 == 0, ledger: ledger)
          }
          #expect(eventually(timeout: 20) { ledger.acknowledged.count > before })
          usleep(UInt32.random(in: 5_000...150_000, using: &generator))
          serve.signal(SIGKILL)
          _ = serve.waitForExit(timeout: 20)
          #expect(tills.wait(timeout: .now() + 30) == .success)
        }
        #expect(ledger.acknowledged.count >= 20)
        try checkDatabase(database.path, acknowledged: ledger.acknowledged, codes: codes)
      }
    }

    @Test(
      "two local engine processes redeeming on one file, SIGKILLed 20 times, lose nothing acknowledged"
    )
    func twoProcessesKilled() async throws {
      try await blocking {
        let database = try freshDatabasePath()
        let setup = try VoucherEngine(path: database)
        try setup.createVoucher(
          VoucherDraft(code: "SHARED", kind: .discount(.amount(10)), quantity: 300))
        var acknowledged: [String: String] = [:]
        var generator = SystemRandomNumberGenerator()
        for cycle in 0..<10 {
          let children = try (0..<2).map { index in
            try EngineChild([
              "redeem-loop", "SHARED", "--order-prefix", "p\(cycle)-\(index)", "--count", "100000",
              "--item", "sku:1:10.00", "--db", database,
            ])
          }
          #expect(eventually(timeout: 20) { children.allSatisfy { $0.lineCount > 0 } })
          usleep(UInt32.random(in: 5_000...100_000, using: &generator))
          for child in children { child.kill() }
          for child in children {
            for line in child.finish() where line.hasPrefix("ok ") {
              let parts = line.split(separator: " ")
              acknowledged[String(parts[1])] = String(parts[2])
            }
          }
        }
        #expect(acknowledged.count >= 10)
        try checkDatabase(database, acknowledged: acknowledged, codes: ["SHARED"])
      }
    }
  }
}

/// Lines collected on one thread and read on another.
final class LineBox: Sendable {
  private let lines = Mutex<[String]>([])
  func append(_ line: String) { lines.withLock { $0.append(line) } }
  var all: [String] { lines.withLock { $0 } }
}

/// `voucher-engine` as a child whose stdout lines are collected on a thread of their own.
final class EngineChild {
  private let process: Process
  private let lines = LineBox()
  private let done = DispatchSemaphore(value: 0)

  init(_ arguments: [String]) throws {
    process = Process()
    process.executableURL = try voucherEngineExecutable()
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let handle = output.fileHandleForReading
    let thread = Thread { [lines, done] in
      var buffer = Data()
      while true {
        let chunk = handle.availableData
        if chunk.isEmpty { break }
        buffer.append(chunk)
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
          lines.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
          buffer.removeSubrange(buffer.startIndex...newline)
        }
      }
      done.signal()
    }
    thread.start()
  }

  var lineCount: Int { lines.all.count }

  func kill() { Foundation.kill(process.processIdentifier, SIGKILL) }

  /// Waits (up to 30 s) for the output to end and returns every whole line.
  func finish() -> [String] {
    _ = done.wait(timeout: .now() + 30)
    process.waitUntilExit()
    return lines.all
  }
}
