import Foundation
import VoucherEngine

#if canImport(Glibc)
  import Glibc
#endif

/// Bulk issuance from a CSV of customers, run in a child process of its own so its peak
/// memory is its own: `voucher-bench --issue-child CSV DB` is that child.
enum IssuanceBench {
  static let template = VoucherDraft(
    codePattern: "BONUS-****-****", kind: .discount(.amount(19_500)), quantity: 1)

  /// The child's work: the same engine call `voucher-engine issue` makes.
  static func child(csv: String, database: String) -> Int32 {
    do {
      let engine = try VoucherEngine(path: database)
      let totals = try engine.issue(csvPath: csv, batch: "bench", template: template)
      print("issued \(totals.issued)")
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
    let arguments = [
      executable, "--issue-child", csv, folder.appendingPathComponent("issue.sqlite").path,
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
    var usage = rusage()
    let waited = wait4(pid, &status, 0, &usage)
    let seconds = Benchmark.seconds(clock.now - started)
    guard waited == pid, status == 0 else {
      throw BenchError("the issuance child failed (wait \(waited), status \(status))")
    }
    let measurement = Benchmark.Measurement(
      operation: "bulk issuance, \(count) customers from CSV", count: count, seconds: seconds,
      samples: [seconds])
    // ru_maxrss is in kilobytes on Linux.
    return (measurement, Double(usage.ru_maxrss) / 1024)
  }
}
