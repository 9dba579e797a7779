import Foundation
import TestSupport

/// A temporary folder removed when the value goes away.
final class TemporaryFolder {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "voucher-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  deinit { try? FileManager.default.removeItem(at: url) }
}

/// The built `voucher-engine` executable run as a child process, its stdout read by lines.
final class EngineProcess {
  private let process = Process()
  private let output = Pipe()
  private var buffer = Data()
  private var lines: [String] = []

  /// The `voucher-engine` built next to this test bundle.
  static var executable: URL {
    get throws { try builtProgram("voucher-engine") }
  }

  /// `voucher-engine ARGUMENTS` run to its end: its exit status, standard output and
  /// standard error. Both are read at once, so a child that fills one pipe never waits for
  /// the other to be read.
  static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let process = Process()
    process.executableURL = try executable
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = FileHandle.nullDevice
    try process.run()
    nonisolated(unsafe) var errorData = Data()
    let errorRead = DispatchGroup()
    DispatchQueue.global().async(group: errorRead) {
      errorData = error.fileHandleForReading.readDataToEndOfFile()
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    errorRead.wait()
    process.waitUntilExit()
    return (
      process.terminationStatus, String(decoding: data, as: UTF8.self),
      String(decoding: errorData, as: UTF8.self)
    )
  }

  static func start(_ arguments: [String]) throws -> EngineProcess {
    let child = EngineProcess()
    child.process.executableURL = try executable
    child.process.arguments = arguments
    child.process.standardOutput = child.output
    child.process.standardError = FileHandle.nullDevice
    try child.process.run()
    return child
  }

  /// Reads whole lines until `done` says enough (or the child closes its output).
  func readLines(until done: ([String]) -> Bool) throws -> [String] {
    let handle = output.fileHandleForReading
    while !done(lines) {
      let chunk = handle.availableData
      if chunk.isEmpty { break }
      buffer.append(chunk)
      while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        lines.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
        buffer.removeSubrange(buffer.startIndex...newline)
      }
    }
    let taken = lines
    lines = []
    return taken
  }

  /// Reads the rest of the output and waits for the child to end.
  func waitForLines() throws -> [String] {
    let rest = try readLines(until: { _ in false })
    process.waitUntilExit()
    return rest
  }

  func kill(signal: Int32) {
    Foundation.kill(process.processIdentifier, signal)
  }
}
