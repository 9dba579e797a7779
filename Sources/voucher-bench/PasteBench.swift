import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A 10 KB paste into the till's code field, timed from the write into the terminal until
/// the field shows the paste's end: what a cashier waits for when a scanner or a clipboard
/// dumps text at once (goal: under 100 ms). The till runs on a pseudo-terminal, as for
/// the first frame.
enum PasteBench {
  /// `runs` pastes into one `voucher-pos --demo`, the field cleared (Ctrl-U) between them.
  static func measure(executable: String, runs: Int) throws -> Benchmark.Measurement {
    let (master, slave, process) = try FirstFrameBench.onPseudoTerminal(
      executable, ["--demo"])
    defer { close(master) }
    try process.run()
    try? slave.close()
    defer {
      if process.isRunning {
        process.terminate()
        process.waitUntilExit()
      }
    }
    let terminal = Terminal(master: master)
    try terminal.waitFor("F10 Quit")
    // Ctrl-E: the code field; its footer then offers "Look up".
    try terminal.send([0x05])
    try terminal.waitFor("Look up")
    let clock = ContinuousClock()
    var samples: [Double] = []
    for run in 0..<runs {
      let end = "-END\(run)"
      let paste = Array(String(repeating: "ABCDEFGHIJ", count: 1024).utf8) + Array(end.utf8)
      terminal.forget()
      let started = clock.now
      try terminal.send(paste)
      try terminal.waitFor(end)
      samples.append(Benchmark.seconds(clock.now - started))
      // Ctrl-U clears the field for the next paste (the field holds 16 KB): its redraw,
      // then a moment for the till to settle.
      terminal.forget()
      try terminal.send([0x15])
      try terminal.waitForOutput()
      usleep(100_000)
    }
    return Benchmark.Measurement(
      operation: "paste 10 KB into a field (shown)", count: runs, seconds: samples.reduce(0, +),
      samples: samples, lowerIsBetter: true, note: "goal: under 100 ms")
  }

  /// The master side of the pty: what the till drew since `forget`, and keys to send.
  private final class Terminal {
    let master: Int32
    private var seen: [UInt8] = []

    init(master: Int32) { self.master = master }

    func forget() { seen.removeAll(keepingCapacity: true) }

    func send(_ bytes: [UInt8]) throws {
      var offset = 0
      let deadline = Date().addingTimeInterval(10)
      while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes {
          write(master, $0.baseAddress!, $0.count)
        }
        if written > 0 {
          offset += written
        } else if errno == EAGAIN || errno == EWOULDBLOCK, Date() < deadline {
          drain()
          usleep(200)
        } else {
          throw FirstFrameBench.Failure(description: "the till took no input")
        }
      }
    }

    func waitFor(_ marker: String, timeout: TimeInterval = 20) throws {
      let needle = Array(marker.utf8)
      let deadline = Date().addingTimeInterval(timeout)
      // Only what came since the last look is searched (with an overlap for a marker
      // split between reads), so the probe takes little of the CPU it measures.
      var from = 0
      while Date() < deadline {
        drain()
        if seen.count >= needle.count {
          var index = from
          while index + needle.count <= seen.count {
            if seen[index] == needle[0], Array(seen[index..<index + needle.count]) == needle {
              return
            }
            index += 1
          }
          from = max(0, seen.count - needle.count + 1)
        }
        usleep(200)
      }
      throw FirstFrameBench.Failure(description: "the till drew no “\(marker)”")
    }

    func waitForOutput(timeout: TimeInterval = 20) throws {
      let deadline = Date().addingTimeInterval(timeout)
      while seen.isEmpty, Date() < deadline {
        drain()
        usleep(200)
      }
      if seen.isEmpty { throw FirstFrameBench.Failure(description: "the till drew nothing") }
    }

    /// Reads what the till has drawn so far (a full pty blocks the till).
    private func drain() {
      var buffer = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
        guard count > 0 else { return }
        seen.append(contentsOf: buffer[0..<count])
      }
    }
  }
}
