import Foundation
import TestSupport
import VoucherEngine
import VoucherServer

/// The PostgreSQL rows: the engine over HTTP on PostgreSQL next to `pgbench` on the same
/// cluster in the same run (same durability: `synchronous_commit=on`, fsync on), and two
/// servers on one database next to one.
enum PostgreSQLBench {
  /// - Parameters:
  ///   - url: a database the bench may fill and erase; nil starts a throwaway cluster.
  ///   - sqlitePath: the bench's SQLite database, copied over (`StoreMove`) as the data.
  static func rows(
    url: String?, sqlitePath: String, data: BenchData, contacts: Int, quick: Bool,
    cart: [CartItem]
  ) throws -> [Benchmark.Measurement] {
    guard let programs = PostgreSQLCluster.programFolder() else {
      throw BenchError(
        "PostgreSQL's programs are not installed (\(PostgreSQLCluster.installLine)); or pass --postgresql URL"
      )
    }
    var cluster: PostgreSQLCluster?
    let engineURL: String
    let pgbenchURL: String
    if let url {
      (engineURL, pgbenchURL) = (url, url)
    } else {
      let started = try PostgreSQLCluster(name: "bench")
      cluster = started
      engineURL = try started.createDatabase()
      pgbenchURL = try started.createDatabase()
    }
    defer { cluster?.stop() }

    FileHandle.standardError.write(Data("  copying the data to PostgreSQL…\n".utf8))
    _ = try StoreMove.copy(fromSQLite: sqlitePath, to: engineURL, replace: true)
    let first = try VoucherEngine(path: engineURL)
    let second = try VoucherEngine(path: engineURL)
    let options = HTTPServerOptions()
    let one = try APIServer(engine: first, port: 0, options: options, accessLog: .none)
    defer { one.stop() }
    let two = try APIServer(engine: second, port: 0, options: options, accessLog: .none)
    defer { two.stop() }
    let key = try first.addAPIKey(name: "bench", role: .cashier)
    let headers = ["X-App-Id": key.key.appId, "X-App-Token": key.token]

    let seconds = quick ? 3 : 10
    let pgbench = programs + "/pgbench"
    try run(pgbench, ["-i", "-q", "-s", "1", pgbenchURL])
    let select = try pgbenchRow(
      "pgbench -S select-only, 16 clients (baseline)", pgbench,
      ["-n", "-S", "-c", "16", "-j", "2", "-T", String(seconds), pgbenchURL])
    let update = try pgbenchRow(
      "pgbench -N simple-update, 16 clients (baseline)", pgbench,
      ["-n", "-N", "-c", "16", "-j", "2", "-T", String(seconds), pgbenchURL])

    let cartJSON = cart.map {
      #"{"product_id":"\#($0.sku)","quantity":\#($0.quantity),"price":\#($0.price)}"#
    }
    .joined(separator: ",")
    let amount = cart.reduce(Int64(0)) { $0 + $1.amount }
    let validateCount = quick ? 2_000 : 20_000
    @Sendable func validateBody(_ iteration: Int) -> [UInt8] {
      validateBody(iteration, headers: headers)
    }
    @Sendable func validateBody(_ iteration: Int, headers: [String: String]) -> [UInt8] {
      let contact = (iteration * 104_729) % contacts
      let body =
        #"{"redeemables":[{"object":"voucher","id":"\#(data.code(contact: contact, slot: iteration % 5))"}],"#
        + #""customer":{"source_id":"\#(data.sourceId(contact))"},"order":{"amount":\#(amount),"items":[\#(cartJSON)]}}"#
      return HTTPConnection.request(
        method: "POST", path: "/v1/validations", body: body, headers: headers)
    }

    // Each redemption spends a different contact's gift card (slot 3, which no other row
    // redeems) under its own order; the second row takes the contacts after the first's.
    let redeemCount = min(quick ? 1_000 : 6_000, contacts / 2)
    @Sendable func redeemBody(_ index: Int) -> [UInt8] {
      let contact = (index * 7_919) % contacts
      let body =
        #"{"redeemables":[{"object":"voucher","id":"\#(data.code(contact: contact, slot: 3))"}],"#
        + #""customer":{"source_id":"\#(data.sourceId(contact))"},"#
        + #""order":{"source_id":"pg-\#(index)","amount":\#(amount),"items":[\#(cartJSON)]}}"#
      return HTTPConnection.request(
        method: "POST", path: "/v1/redemptions", body: body, headers: headers)
    }

    // Untimed first, as pgbench leaves its connection setup out of its figure: each server
    // opens its pool's connections and prepares its statements on each of them on first use,
    // which in a quick run would otherwise be a good part of the time measured.
    let warmRedeems = max(0, min(320, contacts - 2 * redeemCount))
    for port in [one.port, two.port] {
      _ = try Benchmark.measureHTTP(
        "warm-up", port: port, connections: 16, count: 480, request: validateBody)
      guard warmRedeems >= 32 else { continue }
      _ = try Benchmark.measureHTTP(
        "warm-up", port: port, connections: 16, count: warmRedeems / 2
      ) { redeemBody(2 * redeemCount + (port == one.port ? 0 : warmRedeems / 2) + $0) }
    }

    var validate = try Benchmark.measureHTTP(
      "HTTP validate, PostgreSQL, c=16", port: one.port, connections: 16, count: validateCount,
      request: validateBody)
    validate.baseline = select.operation
    validate.ratio = validate.opsPerSecond / select.opsPerSecond

    // The same server and requests on the bench's SQLite file, which it reads in its own
    // process: what validation over HTTP reaches with no database round trip at all, the
    // ceiling of the row above on this machine, next to the same baseline.
    let local = try VoucherEngine(path: sqlitePath)
    let localServer = try APIServer(engine: local, port: 0, options: options, accessLog: .none)
    defer { localServer.stop() }
    let localKey = try local.addAPIKey(name: "bench-local", role: .cashier)
    let localHeaders = ["X-App-Id": localKey.key.appId, "X-App-Token": localKey.token]
    _ = try Benchmark.measureHTTP("warm-up", port: localServer.port, connections: 16, count: 480) {
      validateBody($0, headers: localHeaders)
    }
    var ceiling = try Benchmark.measureHTTP(
      "HTTP validate, SQLite in the server's process, c=16 (no round trip)",
      port: localServer.port, connections: 16, count: validateCount
    ) { validateBody($0, headers: localHeaders) }
    ceiling.baseline = select.operation
    ceiling.ratio = ceiling.opsPerSecond / select.opsPerSecond

    var redeem = try Benchmark.measureHTTP(
      "HTTP durable redeem, PostgreSQL, 1 server, c=16", port: one.port, connections: 16,
      count: redeemCount
    ) { redeemBody($0) }
    redeem.baseline = update.operation
    redeem.ratio = redeem.opsPerSecond / update.opsPerSecond
    var pair = try Benchmark.measureHTTP(
      "HTTP durable redeem, PostgreSQL, 2 servers, c=16 (a 2-core machine cannot show scale-out)",
      ports: [one.port, two.port], connections: 16, count: redeemCount
    ) { redeemBody(redeemCount + $0) }
    pair.baseline = redeem.operation
    pair.ratio = pair.opsPerSecond / redeem.opsPerSecond
    return [select, validate, ceiling, update, redeem, pair]
  }

  /// One pgbench run as a row: its transactions per second and mean latency.
  private static func pgbenchRow(_ operation: String, _ pgbench: String, _ arguments: [String])
    throws -> Benchmark.Measurement
  {
    let output = try run(pgbench, arguments)
    func figure(after label: String) -> Double? {
      guard let range = output.range(of: label) else { return nil }
      let rest = output[range.upperBound...].drop { $0 == " " }
      return Double(rest.prefix { $0.isNumber || $0 == "." })
    }
    guard let tps = figure(after: "tps = "), let latency = figure(after: "latency average = ")
    else { throw BenchError("pgbench printed no tps: \(output)") }
    let seconds = Double(arguments[arguments.firstIndex(of: "-T")! + 1])!
    return Benchmark.Measurement(
      operation: operation, count: Int(tps * seconds), seconds: seconds,
      samples: [latency / 1000])
  }

  @discardableResult
  private static func run(_ program: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
      throw BenchError("\(program) \(arguments.joined(separator: " ")) failed: \(text)")
    }
    return text
  }
}
