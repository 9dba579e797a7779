import Foundation
import VoucherEngine

/// `voucher-engine serve` as a child process on 127.0.0.1 (an ephemeral port), so that
/// signals, crashes and floods hit a real server process and not the test's own.
final class ServedEngine {
  let process = Process()
  let port: Int
  private let errors: Pipe

  /// Starts `serve --db database --listen 127.0.0.1:0 extra…` and waits (up to 20 s) for its
  /// "listening on" line.
  ///
  /// - Throws: when it cannot start or does not say where it listens.
  init(database: String, _ extra: [String] = [], quiet: Bool = true) throws {
    process.executableURL = try voucherEngineExecutable()
    process.arguments =
      ["serve", "--db", database, "--listen", "127.0.0.1:0"] + (quiet ? ["--quiet"] : []) + extra
    let output = Pipe()
    errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let fd = output.fileHandleForReading.fileDescriptor
    var text = ""
    let deadline = Date().addingTimeInterval(20)
    while !text.contains("\n"), Date() < deadline {
      var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&poller, 1, 200) > 0 else { continue }
      var chunk = [UInt8](repeating: 0, count: 512)
      let count = read(fd, &chunk, chunk.count)
      if count <= 0 { break }
      text += String(decoding: chunk[0..<count], as: UTF8.self)
    }
    guard let range = text.range(of: "listening on http://127.0.0.1:"),
      let port = Int(text[range.upperBound...].prefix { $0.isNumber })
    else {
      process.terminate()
      throw ServeProcessError(description: "serve did not start: \(text)")
    }
    self.port = port
  }

  var pid: Int32 { process.processIdentifier }

  func signal(_ number: Int32) { kill(pid, number) }

  /// Waits up to `timeout` seconds for the process to end; its exit status, or nil if it is
  /// still running (it is then killed).
  func waitForExit(timeout: TimeInterval) -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning, Date() < deadline { usleep(10_000) }
    guard !process.isRunning else {
      kill(pid, SIGKILL)
      process.waitUntilExit()
      return nil
    }
    return process.terminationStatus
  }

  /// What it wrote to stderr (after it ended).
  var standardError: String {
    String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
  }

  deinit {
    if process.isRunning {
      kill(pid, SIGKILL)
      process.waitUntilExit()
    }
  }
}

struct ServeProcessError: Error, CustomStringConvertible {
  let description: String
}

/// A database with one key per role and `vouchers` made by `setup`, for a served process.
func servedDatabase(_ setup: (VoucherEngine) throws -> Void = { _ in }) throws -> (
  path: String, keys: [APIRole: IssuedAPIKey]
) {
  let path = try freshDatabasePath()
  let engine = try VoucherEngine(path: path, clock: SystemClock())
  var keys: [APIRole: IssuedAPIKey] = [:]
  for role in APIRole.allCases {
    keys[role] = try engine.addAPIKey(name: "till \(role.rawValue)", role: role)
  }
  try setup(engine)
  return (path, keys)
}

/// The credential headers of `key`.
func credentials(_ key: IssuedAPIKey) -> [String: String] {
  ["X-App-Id": key.key.appId, "X-App-Token": key.token]
}
