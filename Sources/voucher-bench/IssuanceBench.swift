import Foundation
import VoucherEngine

#if canImport(Glibc)
  import Glibc
#endif

/// Bulk issuance from a CSV of customers, run in a child process of its own so its peak
/// memory is its own: `voucher-bench --issue-child CSV DB REPORT` is that child.
///
/// The child reports its own peak (`VmHWM`) rather than the parent reading `ru_maxrss`:
/// Linux carries the spawning process's peak into the child's `ru_maxrss` across exec, so a
/// bench that had a large database mapped reported its own size as the issuance's.
enum IssuanceBench {
  static let template = VoucherDraft(
    codePattern: "BONUS-****-****", kind: .discount(.amount(19_500)), quantity: 1)

  /// The child's work: the same engine call `voucher-engine issue` makes.
  static func child(csv: String, database: String, report: String) -> Int32 {
    do {
      let engine = try VoucherEngine(path: database)
      let totals = try engine.issue(csvPath: csv, batch: "bench", template: template)
      print("issued \(totals.issued)")
      try String(peakResidentKilobytes()).write(toFile: report, atomically: true, encoding: .utf8)
      return totals.issued == totals.rows ? 0 : 1
    } catch {
      FileHandle.standardError.write(Data("voucher-bench: issuance failed: \(error)\n".utf8))
      return 1
    }
  }

  /// Writes `count` customers, issues to them in a child, and reports rows/s and peak RSS.
  static func measure(count: Int, folder: URL) throws -> (
    measurement: Benchmark.Measurement, peakMegabytes: Double
  ) {
    let csv = folder.appendingPathComponent("customers.csv").path
    let writer = try BufferedFileWriter(path: csv)
    try writer.write("source_id,email,name,phone,member_number\n")
    for index in 0..<count {
      try writer.write(
        "issue-\(index),issue\(index)@example.com,Person \(index) Lindqvist,+4676\(String(format: "%07d", index)),I\(index)\n"
      )
    }
    try writer.close()

    // posix_spawn, not Process: Foundation reaps its children itself, and wait4 must be the
    // one to reap this child to get its resource usage.
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    let report = folder.appendingPathComponent("issue-peak.txt").path
    let arguments = [
      executable, "--issue-child", csv, folder.appendingPathComponent("issue.sqlite").path,
      report,
    ]
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let clock = ContinuousClock()
    let started = clock.now
    var pid: pid_t = 0
    guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else {
      throw BenchError("cannot start the issuance child")
    }
    var status: Int32 = 0
    let waited = waitpid(pid, &status, 0)
    let seconds = Benchmark.seconds(clock.now - started)
    guard waited == pid, status == 0,
      let text = try? String(contentsOfFile: report, encoding: .utf8), let kilobytes = Int(text)
    else {
      throw BenchError("the issuance child failed (wait \(waited), status \(status))")
    }
    let measurement = Benchmark.Measurement(
      operation: "bulk issuance, \(count) customers from CSV", count: count, seconds: seconds,
      samples: [seconds])
    return (measurement, Double(kilobytes) / 1024)
  }

  /// This process's peak resident memory in kilobytes (`VmHWM` in /proc/self/status).
  static func peakResidentKilobytes() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }
    return 0
  }
}
