import Dispatch
import EngageServer
import Foundation
import VoucherEngine
import VoucherServer

enum ServeCommand {
  static let command = Command(
    name: "serve",
    help: """
      Usage: voucher-engine serve [--listen HOST:PORT] [--threads N] [--timeout SECONDS]
               [--db PATH] [--quiet] [--voucherify-only] [--engage-rate N]

      Serves the Voucherify-compatible REST API over the database (default listen address
      127.0.0.1:8080; port 0 picks a free one). The first line on stdout is
      "listening on http://HOST:PORT". One access-log line per request goes to stderr
      (method, path, status, time, request id, app id; never a token); --quiet turns it off.
      Every route but GET /health needs a key from `voucher-engine keys add`.
      Voyado Engage v3 is served under /api/v3/ (apikey: APP_ID:TOKEN; not with
      --voucherify-only); --engage-rate N
      sets its limit of requests per second per key (default 200, as Engage's).
      --threads N: by default (0) every connection gets a thread of its own, so a till's
      redemption, which holds its thread until it is on disk, never waits behind another
      till's; N (up to 256) serves all connections from a pool of N threads instead.
      --voucherify-only: serve exactly Voucherify's routes, fields and parameters, without
      our extensions (GET /health, reactivate, name search, Idempotency-Key, the
      X-Voucher-Engine-Capabilities header): to prove a client needs nothing of ours.
      SIGTERM or SIGINT stops accepting, finishes requests in flight, and exits 0.
      """,
    spec: OptionSpec(
      flags: ["quiet", "voucherify-only"],
      options: ["listen", "threads", "timeout", "engage-rate"])
  ) { context in
    let listen = context.arguments.value("listen") ?? "127.0.0.1:8080"
    guard let colon = listen.lastIndex(of: ":"),
      let port = Int(listen[listen.index(after: colon)...]),
      (0...65535).contains(port), colon > listen.startIndex
    else {
      throw UsageError("--listen must be HOST:PORT, like 127.0.0.1:8080")
    }
    let host = String(listen[..<colon])
    var options = HTTPServerOptions()
    options.threads = try context.arguments.integer("threads", in: 0...256) ?? options.threads
    options.connectionTimeout =
      try context.arguments.integer("timeout", in: 1...3600) ?? options.connectionTimeout
    let engageRate =
      try context.arguments.integer("engage-rate", in: 1...100_000) ?? EngageDialect.defaultRate
    let voucherifyOnly = context.arguments.flag("voucherify-only")
    let engine = try context.engine()
    let server: APIServer
    do {
      server = try APIServer(
        engine: engine, host: host, port: port, options: options,
        accessLog: context.arguments.flag("quiet") ? .none : .standardError,
        // Voucherify's surface only means no other dialect either.
        dialects: voucherifyOnly ? [] : [EngageDialect(engine: engine, rate: engageRate)],
        surface: voucherifyOnly ? .voucherifyOnly : .full)
    } catch let error as HTTPServerError {
      Output.error(error.description)
      return exitFailure
    }
    // Unbuffered: a supervisor (or a test) reads the port from this line at once.
    Output.immediate("listening on \(server.baseURL)")
    waitForStopSignal()
    server.stop()
    return exitDone
  }

  /// Blocks until SIGTERM or SIGINT. The signals are ignored for the default action and
  /// delivered through Dispatch, so the stop runs as ordinary code, not in a signal handler.
  private static func waitForStopSignal() {
    let stop = DispatchSemaphore(value: 0)
    let queue = DispatchQueue(label: "serve.signals")
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGTERM, SIGINT] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { stop.signal() }
      source.resume()
      sources.append(source)
    }
    stop.wait()
    sources.forEach { $0.cancel() }
  }
}
