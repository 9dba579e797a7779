import CPseudoTerminal
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Time from process start to its first full frame on a pseudo-terminal: the program runs
/// with a pty as its terminal, and the clock stops when `marker` (text drawn last in the
/// frame) has come out of the pty.
enum FirstFrameBench {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// `executable` set up to run on a new pseudo-terminal as its whole terminal (an
  /// xterm, UTF-8, the size the pty has): the master side, non-blocking, for reading what it
  /// draws and writing keys; the slave side, for the caller to close once it has run.
  static func onPseudoTerminal(_ executable: String, _ arguments: [String]) throws -> (
    master: Int32, slave: FileHandle, process: Process
  ) {
    var name = [CChar](repeating: 0, count: 128)
    let master = cpt_open_master(&name, name.count)
    guard master >= 0 else { throw Failure(description: "no pseudo-terminal available") }
    let slavePath = String(
      decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let slave = FileHandle(forUpdatingAtPath: slavePath) else {
      close(master)
      throw Failure(description: "cannot open \(slavePath)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["TERM"] = "xterm-256color"
    environment["LANG"] = "C.UTF-8"
    environment["SWIFT_BACKTRACE"] = "interactive=no"
    environment.removeValue(forKey: "LINES")
    environment.removeValue(forKey: "COLUMNS")
    process.environment = environment
    process.standardInput = slave
    process.standardOutput = slave
    process.standardError = FileHandle.nullDevice
    _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    return (master, slave, process)
  }

  /// One run; returns seconds to the marker. The child is terminated afterwards.
  static func run(
    executable: String, arguments: [String], marker: String, timeout: TimeInterval = 20
  ) throws -> Double {
    let (master, slave, process) = try onPseudoTerminal(executable, arguments)
    defer { close(master) }
    let clock = ContinuousClock()
    let started = clock.now
    try process.run()
    try? slave.close()
    defer {
      if process.isRunning {
        process.terminate()
        process.waitUntilExit()
      }
    }
    var seen: [UInt8] = []
    let needle = Array(marker.utf8)
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
      if count > 0 {
        seen.append(contentsOf: buffer[0..<count])
        if contains(seen, needle) { return Benchmark.seconds(clock.now - started) }
      } else {
        if Benchmark.seconds(clock.now - started) > timeout {
          throw Failure(description: "\(executable) drew no “\(marker)” within \(Int(timeout)) s")
        }
        if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && !process.isRunning) {
          // The slave side closed (the program exited) without the marker.
          if !process.isRunning && count <= 0 && errno != EAGAIN {
            throw Failure(description: "\(executable) exited before drawing “\(marker)”")
          }
        }
        usleep(200)
      }
    }
  }

  private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard haystack.count >= needle.count else { return false }
    var index = haystack.count - 1
    // Search only the recent part: the marker arrives last.
    let start = max(0, haystack.count - needle.count - (1 << 16))
    index = start
    while index + needle.count <= haystack.count {
      if haystack[index] == needle[0], Array(haystack[index..<index + needle.count]) == needle {
        return true
      }
      index += 1
    }
    return false
  }

  /// Median of `runs` runs.
  static func median(
    runs: Int, executable: String, arguments: [String], marker: String
  ) throws -> Benchmark.Measurement {
    var samples: [Double] = []
    for _ in 0..<runs {
      samples.append(try run(executable: executable, arguments: arguments, marker: marker))
    }
    let total = samples.reduce(0, +)
    return Benchmark.Measurement(
      operation: "", count: runs, seconds: total, samples: samples)
  }
}
