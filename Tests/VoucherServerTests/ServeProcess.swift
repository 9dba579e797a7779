import Foundation
import Testing

/// Runs `executable` with `arguments` to its end, bounded by `timeout`; stdout and stderr
/// together.
func runProgram(
  _ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
  timeout: TimeInterval = 120
) throws -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let environment { process.environment = environment }
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let killer = DispatchWorkItem { process.terminate() }
  DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  killer.cancel()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Starts `process` (`voucher-engine serve`, stderr discarded) and returns the first line
/// it prints ("listening on URL"), or what it printed before it ended.
func startReadingFirstLine(_ process: Process, standardError: FileHandle = .nullDevice) throws
  -> String
{
  let output = Pipe()
  process.standardOutput = output
  process.standardError = standardError
  try process.run()
  var buffer = Data()
  let handle = output.fileHandleForReading
  while !buffer.contains(UInt8(ascii: "\n")) {
    let chunk = handle.availableData
    if chunk.isEmpty { break }
    buffer.append(chunk)
  }
  return String(decoding: buffer, as: UTF8.self).split(separator: "\n").first.map(String.init)
    ?? ""
}

/// The built `voucher-engine serve` on 127.0.0.1 (an ephemeral port) over a fresh database,
/// with one admin key made by `voucher-engine keys add`; stopped with SIGTERM when released.
final class ServeProcess {
  let process = Process()
  let baseURL: String
  let appId: String
  let token: String

  struct StartError: Error, CustomStringConvertible {
    let description: String
  }

  /// - Parameter database: a `--db` (nil: a fresh SQLite file).
  init(arguments extra: [String] = [], database: String? = nil) throws {
    let executable = try voucherEngineExecutable()
    let database = try database ?? freshDatabasePath()
    let added = try runProgram(
      executable,
      ["keys", "add", "--role", "admin", "--name", "shop backend", "--json", "--db", database])
    guard added.status == 0,
      let key = try JSONSerialization.jsonObject(with: Data(added.output.utf8))
        as? [String: String], let appId = key["app_id"], let token = key["token"]
    else { throw StartError(description: "voucher-engine keys add failed: \(added.output)") }
    self.appId = appId
    self.token = token
    process.executableURL = executable
    process.arguments =
      ["serve", "--db", database, "--listen", "127.0.0.1:0", "--quiet"] + extra
    let line = try startReadingFirstLine(process)
    guard line.hasPrefix("listening on http://127.0.0.1:") else {
      process.terminate()
      throw StartError(description: "voucher-engine serve did not start: \(line)")
    }
    baseURL = String(line.dropFirst("listening on ".count))
  }

  deinit {
    if process.isRunning {
      kill(process.processIdentifier, SIGTERM)
      process.waitUntilExit()
    }
  }
}
