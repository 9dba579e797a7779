import CSQLite
import Foundation
import Synchronization
import VoucherEngine
import VoucherServer

/// `voucher-bench`: the engine's speed next to the physical floor of this machine, measured
/// in the same run so the ratios mean something on a noisy box.
enum Benchmark {
  static let help = """
    Usage: voucher-bench [--quick] [--json FILE] [--contacts N] [--postgresql URL]
                         [--only SECTION,...]

    Builds its own data in a temporary folder (seeded: 100,000 contacts with 10
    vouchers each = 1,000,000 vouchers; --quick: 10,000 contacts, under a minute in
    all), then measures each operation and prints: operation, ops/s, p50, p99, and
    the ratio to its baseline measured in the same run (or the goal it is held to).

    Search: a cashier typing the first 1…5 letters of a name, each keystroke one
    call for the first 50 matches and their exact count, timed per keystroke (goal:
    under 16 ms p99).

    Bulk issuance runs in a child process (so its peak memory is its own):
    rows/s and peak resident memory for 100,000 (--quick) or 1,000,000 customers
    from a CSV file.

    The PostgreSQL rows run on a throwaway cluster the bench starts (initdb, a Unix
    socket), or on --postgresql URL: a database the bench may fill and erase (its
    data is copied there; pgbench's tables are made there too).

    --only runs some sections of the table: engine (in-process rows, search and the
    raw commit loop), issuance, first-frame (and the paste), http, postgresql. The
    data is built in every case.

    Baselines:
      raw commit loop   one single-row UPDATE per BEGIN IMMEDIATE…COMMIT
                        transaction, raw SQLite with the engine's pragmas (WAL,
                        synchronous=FULL), same disk.
      pgbench -S / -N   PostgreSQL's own benchmark on the same cluster, 16 clients:
                        select-only (for validate) and simple-update (for redeem).

    Exit status: 0 done, 1 failure, 2 usage error.
    """

  struct Measurement {
    var operation: String
    var count: Int
    var seconds: Double
    var samples: [Double]
    var baseline: String?
    var ratio: Double?
    /// For times (first frame): the ratio is this time over the baseline's.
    var lowerIsBetter = false
    /// Said in the last column instead of a ratio (a goal rather than a baseline).
    var note: String?

    var opsPerSecond: Double { Double(count) / seconds }
    func percentile(_ p: Double) -> Double {
      let sorted = samples.sorted()
      return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
  }

  static func main(_ arguments: [String]) -> Int32 {
    if arguments.contains("--help") || arguments.contains("-h") {
      print(help)
      return 0
    }
    if arguments.first == "--issue-child", arguments.count == 4 {
      return IssuanceBench.child(csv: arguments[1], database: arguments[2], report: arguments[3])
    }
    let quick = arguments.contains("--quick")
    var contacts = quick ? 10_000 : 100_000
    var jsonPath: String?
    var postgresql: String?
    var sections = Section.all
    var index = 0
    while index < arguments.count {
      switch arguments[index] {
      case "--quick": break
      case "--json" where index + 1 < arguments.count:
        index += 1
        jsonPath = arguments[index]
      case "--postgresql" where index + 1 < arguments.count:
        index += 1
        postgresql = arguments[index]
      case "--only" where index + 1 < arguments.count:
        index += 1
        let names = arguments[index].split(separator: ",").map(String.init)
        guard !names.isEmpty, names.allSatisfy(Section.all.contains) else {
          FileHandle.standardError.write(
            Data(
              "voucher-bench: --only takes \(Section.all.sorted().joined(separator: ", "))\n".utf8
            ))
          return 2
        }
        sections = Set(names)
      case "--contacts" where index + 1 < arguments.count:
        index += 1
        guard let value = Int(arguments[index]), value >= 100 else {
          FileHandle.standardError.write(
            Data("voucher-bench: --contacts must be at least 100\n".utf8))
          return 2
        }
        contacts = value
      default:
        FileHandle.standardError.write(
          Data("voucher-bench: unknown argument \(arguments[index]) (see --help)\n".utf8))
        return 2
      }
      index += 1
    }
    do {
      try run(
        contacts: contacts, quick: quick, jsonPath: jsonPath, postgresql: postgresql,
        sections: sections)
      return 0
    } catch {
      FileHandle.standardError.write(Data("voucher-bench: \(error)\n".utf8))
      return 1
    }
  }

  /// The parts of the table `--only` can pick.
  enum Section {
    static let all: Set<String> = ["engine", "issuance", "first-frame", "http", "postgresql"]
  }

  static func run(
    contacts: Int, quick: Bool, jsonPath: String?, postgresql: String?, sections: Set<String>
  ) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "voucher-bench-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let data = BenchData(contacts: contacts, vouchersPerContact: 10)
    let engine = try VoucherEngine(path: folder.appendingPathComponent("engine.sqlite").path)
    let started = Date()
    try data.build(into: engine) { line in
      FileHandle.standardError.write(Data("\r\(line)".utf8))
    }
    FileHandle.standardError.write(
      Data("\n  built in \(String(format: "%.1f", Date().timeIntervalSince(started))) s\n".utf8))

    var random = SplitMix64(seed: 7)
    let iterations = quick ? 2_000 : 20_000
    let durableCount = quick ? 500 : 3_000
    var results: [Measurement] = []
    let cart = [
      CartItem(sku: "prod_1", quantity: 1, price: 25_900),
      CartItem(sku: "prod_2", quantity: 3, price: 4_950),
    ]

    if sections.contains("engine") {
      results.append(
        try measure("validate, 1 code", count: iterations) { _ in
          let contact = Int(random.next() % UInt64(contacts))
          let request = RedemptionRequest(
            codes: [CodeRequest(data.code(contact: contact, slot: Int(random.next() % 5)))],
            customer: data.sourceId(contact), items: cart)
          _ = try engine.validate(request)
        })
      results.append(
        try measure("validate, 5 stacked codes", count: iterations) { _ in
          let contact = Int(random.next() % UInt64(contacts))
          let codes = (0..<5).map { CodeRequest(data.code(contact: contact, slot: $0)) }
          _ = try engine.validate(
            RedemptionRequest(codes: codes, customer: data.sourceId(contact), items: cart))
        })
      results.append(
        try measure("lookup by email", count: iterations) { _ in
          _ = try engine.findCustomers(data.email(Int(random.next() % UInt64(contacts))), limit: 20)
        })
      results.append(
        try measure("lookup by phone", count: iterations) { _ in
          _ = try engine.findCustomers(data.phone(Int(random.next() % UInt64(contacts))), limit: 20)
        })
      results.append(
        try measure("lookup by name prefix", count: iterations) { _ in
          let name = data.lastName(Int(random.next() % UInt64(contacts)))
          _ = try engine.findCustomers(String(name.prefix(3)), limit: 20)
        })
      results += try SearchBench.rows(engine: engine, data: data, contacts: contacts, quick: quick)
      results.append(
        try measure("contact's voucher list", count: iterations) { _ in
          _ = try engine.vouchers(
            of: data.sourceId(Int(random.next() % UInt64(contacts))), filter: .all)
        })

      let raw = try rawCommitLoop(
        path: folder.appendingPathComponent("raw.sqlite").path, count: durableCount)
      results.append(raw)
      var redeem = try measure("durable redeem, 1 client", count: durableCount) { iteration in
        // Each redemption: a different contact's single-use 10 % voucher, its own order.
        let contact = (iteration * 7919) % contacts
        let request = RedemptionRequest(
          codes: [CodeRequest(data.code(contact: contact, slot: 0))],
          customer: data.sourceId(contact),
          orderSourceId: "bench-order-\(iteration)", items: cart)
        _ = try engine.redeem(request)
      }
      redeem.baseline = raw.operation
      redeem.ratio = redeem.opsPerSecond / raw.opsPerSecond
      results.append(redeem)

      // Sixteen threads on one engine: group commit shares fsyncs between them.
      var grouped = try measureConcurrent(
        "durable redeem, 16 threads", threads: 16, count: durableCount
      ) { iteration in
        let contact = (iteration * 7919 + 1) % contacts
        let request = RedemptionRequest(
          codes: [CodeRequest(data.code(contact: contact, slot: 1))],
          customer: data.sourceId(contact),
          orderSourceId: "bench-group-\(iteration)", items: cart)
        _ = try engine.redeem(request)
      }
      grouped.baseline = raw.operation
      grouped.ratio = grouped.opsPerSecond / raw.opsPerSecond
      results.append(grouped)
    }

    if sections.contains("issuance") {
      let issuance = try IssuanceBench.measure(
        count: quick ? 100_000 : 1_000_000, folder: folder)
      var issued = issuance.measurement
      issued.operation += String(format: " (peak %.0f MB)", issuance.peakMegabytes)
      results.append(issued)
    }
    if sections.contains("first-frame") {
      results += firstFrameRows(
        database: folder.appendingPathComponent("engine.sqlite").path, quick: quick)
    }
    if sections.contains("http") {
      results += try httpRows(
        engine: engine, data: data, contacts: contacts, quick: quick, cart: cart)
    }
    if sections.contains("postgresql") {
      results += try PostgreSQLBench.rows(
        url: postgresql, sqlitePath: folder.appendingPathComponent("engine.sqlite").path,
        data: data, contacts: contacts, quick: quick, cart: cart)
    }

    printTable(results, contacts: contacts, vouchers: contacts * data.vouchersPerContact)
    if let jsonPath { try writeJSON(results, to: jsonPath) }
  }

  static func measure(_ operation: String, count: Int, _ body: (Int) throws -> Void) rethrows
    -> Measurement
  {
    var samples: [Double] = []
    samples.reserveCapacity(count)
    let clock = ContinuousClock()
    let total = try clock.measure {
      for iteration in 0..<count {
        let start = clock.now
        try body(iteration)
        samples.append(seconds(clock.now - start))
      }
    }
    return Measurement(
      operation: operation, count: count, seconds: seconds(total), samples: samples)
  }

  /// Runs `body` once on each of `count` new threads and returns when all have finished.
  /// Real threads, not `DispatchQueue.concurrentPerform`: that caps its width at the number
  /// of cores, so "16 clients" would quietly be 2 on this machine.
  static func onThreads(_ count: Int, _ body: @escaping @Sendable () -> Void) {
    let finished = DispatchSemaphore(value: 0)
    for _ in 0..<count {
      let thread = Thread {
        body()
        finished.signal()
      }
      thread.stackSize = 1 << 20
      thread.start()
    }
    for _ in 0..<count { finished.wait() }
  }

  /// `count` operations spread over `threads` threads; per-operation latencies merged.
  static func measureConcurrent(
    _ operation: String, threads: Int, count: Int, _ body: @escaping @Sendable (Int) throws -> Void
  ) throws -> Measurement {
    let next = Atomic<Int>(0)
    let failures = Atomic<Int>(0)
    let lock = NSLock()
    nonisolated(unsafe) var samples: [Double] = []
    let clock = ContinuousClock()
    let total = clock.measure {
      onThreads(threads) {
        var mine: [Double] = []
        while true {
          let iteration = next.wrappingAdd(1, ordering: .relaxed).oldValue
          guard iteration < count else { break }
          let start = clock.now
          do { try body(iteration) } catch { failures.wrappingAdd(1, ordering: .relaxed) }
          mine.append(seconds(clock.now - start))
        }
        lock.lock()
        samples += mine
        lock.unlock()
      }
    }
    guard failures.load(ordering: .relaxed) == 0 else {
      throw BenchError(
        "\(failures.load(ordering: .relaxed)) of \(count) \(operation) operations failed")
    }
    return Measurement(
      operation: operation, count: count, seconds: seconds(total), samples: samples)
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  /// Validate and redeem over HTTP at concurrency 1 and 16, next to a trivial handler
  /// served by the same libmicrohttpd configuration (the ceiling of this HTTP stack here).
  static func httpRows(
    engine: VoucherEngine, data: BenchData, contacts: Int, quick: Bool, cart: [CartItem]
  ) throws -> [Measurement] {
    let options = HTTPServerOptions()
    let fixed = Data(#"{"object":"health","status":"ok"}"#.utf8)
    let trivial = try HTTPServer(host: "127.0.0.1", port: 0, options: options) { _ in
      HTTPResponse(status: 200, body: fixed)
    }
    defer { trivial.stop() }
    let server = try APIServer(engine: engine, port: 0, options: options, accessLog: .none)
    defer { server.stop() }
    let key = try engine.addAPIKey(name: "bench", role: .cashier)
    let headers = ["X-App-Id": key.key.appId, "X-App-Token": key.token]
    let count = quick ? 2_000 : 20_000
    let redeemCount = quick ? 1_000 : 6_000
    let cartJSON = cart.map {
      #"{"product_id":"\#($0.sku)","quantity":\#($0.quantity),"price":\#($0.price)}"#
    }
    .joined(separator: ",")
    let amount = cart.reduce(Int64(0)) { $0 + $1.amount }

    var rows: [Measurement] = []
    for connections in [1, 16] {
      let ceiling = try measureHTTP(
        "trivial handler (baseline), c=\(connections)", port: trivial.port,
        connections: connections,
        count: count
      ) { _ in HTTPConnection.request(method: "GET", path: "/health") }
      rows.append(ceiling)
      var validate = try measureHTTP(
        "HTTP validate, c=\(connections)", port: server.port, connections: connections, count: count
      ) { iteration in
        let contact = (iteration * 104_729) % contacts
        let body =
          #"{"redeemables":[{"object":"voucher","id":"\#(data.code(contact: contact, slot: iteration % 5))"}],"#
          + #""customer":{"source_id":"\#(data.sourceId(contact))"},"order":{"amount":\#(amount),"items":[\#(cartJSON)]}}"#
        return HTTPConnection.request(
          method: "POST", path: "/v1/validations", body: body, headers: headers)
      }
      validate.baseline = ceiling.operation
      validate.ratio = validate.opsPerSecond / ceiling.opsPerSecond
      rows.append(validate)
    }
    let raw = try rawCommitLoop(
      path: FileManager.default.temporaryDirectory.appendingPathComponent(
        "voucher-bench-raw-\(getpid()).sqlite"
      ).path,
      count: quick ? 500 : 3_000, reuse: false)
    for connections in [1, 16] {
      var redeem = try measureHTTP(
        "HTTP durable redeem, c=\(connections)", port: server.port, connections: connections,
        count: redeemCount
      ) { iteration in
        // A different contact's single-use voucher per request (slot 2 or 4), its own order.
        let contact = (iteration * 7_919 + connections) % contacts
        let slot = connections == 1 ? 2 : 4
        let body =
          #"{"redeemables":[{"object":"voucher","id":"\#(data.code(contact: contact, slot: slot))"}],"#
          + #""customer":{"source_id":"\#(data.sourceId(contact))"},"#
          + #""order":{"source_id":"http-\#(connections)-\#(iteration)","amount":\#(amount),"items":[\#(cartJSON)]}}"#
        return HTTPConnection.request(
          method: "POST", path: "/v1/redemptions", body: body, headers: headers)
      }
      redeem.baseline = "raw commit loop (baseline)"
      redeem.ratio = redeem.opsPerSecond / raw.opsPerSecond
      rows.append(redeem)
    }
    return rows
  }

  /// Time to the first full frame of `voucher-pos` (demo, and the bench's own large
  /// database) next to a minimal C program that draws one 80×24 ncursesw frame, all under a
  /// pseudo-terminal. Needs both programs built beside the bench (`swift build -c release`);
  /// says so instead of measuring when they are not.
  static func firstFrameRows(database: String, quick: Bool) -> [Measurement] {
    let folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
      .deletingLastPathComponent()
    let pos = folder.appendingPathComponent("voucher-pos").path
    let baseline = folder.appendingPathComponent("ncurses-first-frame").path
    guard FileManager.default.isExecutableFile(atPath: pos),
      FileManager.default.isExecutableFile(atPath: baseline)
    else {
      print(
        "time to first frame: not measured; build voucher-pos and ncurses-first-frame first (swift build -c release)"
      )
      return []
    }
    let runs = quick ? 5 : 15
    do {
      var c = try FirstFrameBench.median(
        runs: runs, executable: baseline, arguments: [], marker: "READY")
      c.operation = "first frame: C ncurses program (baseline)"
      c.lowerIsBetter = true
      // The footer's last label is the last thing voucher-pos draws.
      var demo = try FirstFrameBench.median(
        runs: runs, executable: pos, arguments: ["--demo"], marker: "F10 Quit")
      demo.operation = "first frame: voucher-pos --demo"
      var large = try FirstFrameBench.median(
        runs: runs, executable: pos, arguments: ["--db", database], marker: "F10 Quit")
      large.operation = "first frame: voucher-pos, large database"
      for index in [0, 1] {
        var row = index == 0 ? demo : large
        row.baseline = c.operation
        // Frames: a ratio of times, lower is better; shown as "time × baseline's time".
        row.ratio = row.percentile(0.5) / c.percentile(0.5)
        row.lowerIsBetter = true
        if index == 0 { demo = row } else { large = row }
      }
      let paste = try PasteBench.measure(executable: pos, runs: runs)
      return [c, demo, large, paste]
    } catch {
      print("time to first frame: \(error)")
      return []
    }
  }

  /// The floor for a durable write: raw SQLite, one single-row UPDATE per transaction.
  static func rawCommitLoop(path: String, count: Int, reuse: Bool = true) throws -> Measurement {
    if !reuse {
      for suffix in ["", "-wal", "-shm"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
      }
    }
    defer {
      if !reuse {
        for suffix in ["", "-wal", "-shm"] {
          try? FileManager.default.removeItem(atPath: path + suffix)
        }
      }
    }
    var db: OpaquePointer?
    guard sqlite3_open(path, &db) == SQLITE_OK, let db else {
      throw BenchError("cannot open \(path)")
    }
    defer { sqlite3_close(db) }
    func exec(_ sql: String) throws {
      guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
        throw BenchError(String(cString: sqlite3_errmsg(db)))
      }
    }
    try exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")
    try exec("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    try exec(
      "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 1000) INSERT INTO counters (id, n) SELECT i, 0 FROM k"
    )
    var update: OpaquePointer?
    guard
      sqlite3_prepare_v2(db, "UPDATE counters SET n = n + 1 WHERE id = ?", -1, &update, nil)
        == SQLITE_OK
    else {
      throw BenchError(String(cString: sqlite3_errmsg(db)))
    }
    defer { sqlite3_finalize(update) }
    return try measure("raw commit loop (baseline)", count: count) { iteration in
      try exec("BEGIN IMMEDIATE")
      sqlite3_bind_int64(update, 1, Int64(iteration % 1000 + 1))
      guard sqlite3_step(update) == SQLITE_DONE else { throw BenchError("update failed") }
      sqlite3_reset(update)
      try exec("COMMIT")
    }
  }

  static func printTable(_ results: [Measurement], contacts: Int, vouchers: Int) {
    print(
      "voucher-bench: \(contacts) contacts, \(vouchers) vouchers, \(ProcessInfo.processInfo.activeProcessorCount) cores;"
        + " HTTP rows: one client thread per connection (c)"
    )
    let header = ["operation", "ops/s", "p50 ms", "p99 ms", "vs baseline"]
    var rows = [header]
    for result in results {
      rows.append([
        result.operation, result.lowerIsBetter ? "-" : String(format: "%.0f", result.opsPerSecond),
        result.samples.count < 2 ? "-" : String(format: "%.3f", result.percentile(0.5) * 1000),
        result.samples.count < 2 ? "-" : String(format: "%.3f", result.percentile(0.99) * 1000),
        result.note
          ?? result.ratio.map {
            result.lowerIsBetter
              ? String(format: "%.2f× the time of %@", $0, result.baseline ?? "")
              : String(format: "%.2f× %@", $0, result.baseline ?? "")
          } ?? "",
      ])
    }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
      print(
        row.enumerated().map { column, cell in
          column == 0
            ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            : String(repeating: " ", count: widths[column] - cell.count) + cell
        }.joined(separator: "  "))
    }
  }

  static func writeJSON(_ results: [Measurement], to path: String) throws {
    let rows: [[String: Any]] = results.map {
      [
        "operation": $0.operation, "ops_per_second": $0.opsPerSecond,
        "p50_ms": $0.percentile(0.5) * 1000,
        "p99_ms": $0.percentile(0.99) * 1000, "baseline": $0.baseline ?? NSNull(),
        "ratio": $0.ratio ?? NSNull(),
      ]
    }
    let data = try JSONSerialization.data(
      withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: path))
  }
}

struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
