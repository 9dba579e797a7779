import CPseudoTerminal
import Foundation
import TestSupport
import Testing

/// A pseudo-terminal that reports no size (0×0), as some ptys and serial consoles do: the
/// till must keep working on ncurses' own idea of the size, not take it for a hang-up.
@Suite("a terminal without a size")
struct SizelessTerminalTests {
  @Test("the till keeps taking keys on a pty that reports 0×0")
  func keepsRunning() async throws {
    try await blocking {
      var name = [CChar](repeating: 0, count: 128)
      let master = cpt_open_master(&name, name.count)
      try #require(master >= 0, "no pseudo-terminal available")
      defer { close(master) }
      let path = String(
        decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let slave = try #require(FileHandle(forUpdatingAtPath: path))

      let process = Process()
      process.executableURL = URL(fileURLWithPath: try TmuxSession.executable)
      process.arguments = ["--demo"]
      var environment = ProcessInfo.processInfo.environment
      environment["TERM"] = "xterm-256color"
      environment["LANG"] = "C.UTF-8"
      environment["SWIFT_BACKTRACE"] = "interactive=no"
      process.environment = environment
      process.standardInput = slave
      process.standardOutput = slave
      process.standardError = FileHandle.nullDevice
      try process.run()
      try? slave.close()
      defer {
        if process.isRunning {
          process.terminate()
          process.waitUntilExit()
        }
      }
      _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)

      var output = Data()
      func waitFor(_ text: String) -> Bool {
        let deadline = Date().addingTimeInterval(15)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while Date() < deadline {
          let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
          if count > 0 { output.append(contentsOf: buffer[0..<count]) }
          if String(decoding: output, as: UTF8.self).contains(text) { return true }
          if count <= 0 { usleep(2_000) }
        }
        return false
      }
      #expect(waitFor("F10 Quit"), "no first frame")
      output.removeAll()
      _ = "alice".withCString { write(master, $0, 5) }
      #expect(waitFor("alice@example.com"), "the till stopped taking keys")
      #expect(process.isRunning)
    }
  }
}
