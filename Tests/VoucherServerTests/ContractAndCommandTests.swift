import Foundation
import TestSupport
import Testing
import VoucherEngine
import VoucherServer

/// `../shared/tools/voucherify-contract-check`, beside the package, when present.
private let contractCheck = packageRoot.deletingLastPathComponent()
  .appendingPathComponent("shared/tools/voucherify-contract-check")

@Suite("Contract and command line")
struct ContractAndCommandTests {
  @Test(
    "voucherify-contract-check passes against the server, on SQLite and on PostgreSQL",
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: contractCheck.path),
      "../shared/tools/voucherify-contract-check is absent: the contract check is skipped"),
    arguments: [false, true])
  func contract(onPostgreSQL: Bool) throws {
    let engine =
      onPostgreSQL
      ? try VoucherEngine(
        store: PostgreSQLStore(url: PostgreSQLCluster.shared().createSchema()),
        clock: SystemClock())
      : try freshEngine(clock: SystemClock())
    let live = try LiveServer(engine: engine)
    let admin = live.keys[.admin]!
    let result = try runProgram(
      URL(fileURLWithPath: "/usr/bin/env"),
      [
        "python3", contractCheck.path, "--base", live.server.baseURL, "--app-id",
        admin.key.appId, "--app-token", admin.token,
      ])
    let lines = result.output.split(separator: "\n")
    #expect(result.status == 0, "\(result.output)")
    #expect(lines.last?.hasSuffix(" passed, 0 failed") == true, "\(result.output)")
  }

  @Test("serve: first line names the port, answers, and stops cleanly on SIGTERM")
  func serveCommand() throws {
    let executable = try voucherEngineExecutable()
    let database = try freshDatabasePath()
    let added = try runProgram(
      executable,
      ["keys", "add", "--role", "cashier", "--name", "till 1", "--json", "--db", database])
    #expect(added.status == 0)
    let key = try #require(
      try JSONSerialization.jsonObject(with: Data(added.output.utf8)) as? [String: String])
    #expect(key["role"] == "cashier")
    #expect(key["app_id"]?.hasPrefix("app_") == true)

    let process = Process()
    process.executableURL = executable
    process.arguments = ["serve", "--db", database, "--listen", "127.0.0.1:0", "--quiet"]
    let line = try startReadingFirstLine(process)
    defer { if process.isRunning { process.terminate() } }
    #expect(line.hasPrefix("listening on http://127.0.0.1:"))
    let base = String(line.dropFirst("listening on ".count))
    let health = try Data(contentsOf: URL(string: base + "/health")!)
    #expect(String(decoding: health, as: UTF8.self).contains("\"ok\""))

    kill(process.processIdentifier, SIGTERM)
    let stopBy = Date().addingTimeInterval(15)
    while process.isRunning, Date() < stopBy { usleep(20_000) }
    guard !process.isRunning else {
      // Killed, so that a failure here is one failed test, not a run left hanging.
      kill(process.processIdentifier, SIGKILL)
      Issue.record("serve was still running 15 s after SIGTERM")
      return
    }
    #expect(process.terminationStatus == 0)

    let list = try runProgram(executable, ["keys", "list", "--json", "--db", database])
    #expect(list.output.contains(key["app_id"] ?? "?"))
    #expect(!list.output.contains("vpt_"))
    let revoked = try runProgram(
      executable, ["keys", "revoke", key["app_id"] ?? "", "--db", database])
    #expect(revoked.status == 0)
  }

  @Test("serve writes one access-log line a request to stderr, each whole and in its format")
  func accessLogLines() throws {
    let executable = try voucherEngineExecutable()
    let database = try freshDatabasePath()
    let logPath = database + ".stderr"
    try #require(FileManager.default.createFile(atPath: logPath, contents: nil))
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    let process = Process()
    process.executableURL = executable
    process.arguments = ["serve", "--db", database, "--listen", "127.0.0.1:0"]
    let line = try startReadingFirstLine(process, standardError: log)
    try log.close()
    defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    let base = String(line.dropFirst("listening on ".count))
    // Requests at once: lines from concurrent requests must not interleave. (Unauthorised
    // ones from one address are throttled to 429 after a while.)
    DispatchQueue.concurrentPerform(iterations: 64) { index in
      _ = try? Data(contentsOf: URL(string: base + (index % 2 == 0 ? "/health" : "/v1/nope"))!)
    }
    kill(process.processIdentifier, SIGTERM)
    process.waitUntilExit()
    let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n")
    let format =
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z GET \/(health 200|v1\/nope (401|429)) \d+\.\dms req_\w+ app=- from=127\.0\.0\.1$/
    let logged = lines.filter { $0.contains(" GET /") }
    #expect(logged.count == 64, "\(lines)")
    for entry in logged {
      #expect(entry.wholeMatch(of: format) != nil, "\(entry)")
    }
  }

  @Test("serve stops on a SIGTERM sent the moment it says it listens, every time (20 starts)")
  func stopSignalRightAfterListening() throws {
    let executable = try voucherEngineExecutable()
    let database = try freshDatabasePath()
    for attempt in 0..<20 {
      let process = Process()
      process.executableURL = executable
      process.arguments = ["serve", "--db", database, "--listen", "127.0.0.1:0", "--quiet"]
      let line = try startReadingFirstLine(process)
      defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
      #expect(line.hasPrefix("listening on "))
      // A supervisor may stop a server as soon as it is up; the stop must not be lost.
      kill(process.processIdentifier, SIGTERM)
      let stopBy = Date().addingTimeInterval(10)
      while process.isRunning, Date() < stopBy { usleep(10_000) }
      guard !process.isRunning else {
        Issue.record("start \(attempt + 1): serve was still running 10 s after SIGTERM")
        return
      }
      #expect(process.terminationStatus == 0, "start \(attempt + 1)")
    }
  }
}
