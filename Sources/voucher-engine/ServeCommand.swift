import Dispatch
import EngageServer
import Foundation
import PlainServer
import VaucharServer
import VoucherEngine
import VoucherServer

enum ServeCommand {
  static let command = Command(
    name: "serve",
    help: """
      Usage: voucher-engine serve [--listen HOST:PORT] [--threads N] [--db PATH]
               [--quiet] [--voucherify-only] [--engage-rate N]
               [--timeout S] [--header-timeout S] [--body-timeout S]
               [--drain-timeout S] [--max-connections N] [--per-address N]
               [--auth-failures-per-key N] [--auth-failures-per-address N]
               [--auth-window S]
               [--plain-rate-limits GET,CREATE,VALIDATE,APPLY] [--plain-rate-window S]
               [--void-window MINUTES]

      Serves the Voucherify-compatible REST API over the database (default listen
      address 127.0.0.1:8080; port 0 picks a free one). The first line on stdout is
      "listening on http://HOST:PORT". One access-log line per request goes to
      stderr (method, target, status, time, request id, app id, client address;
      never a token; control characters escaped, the target cut at 200 characters);
      --quiet turns it off.
      Every route but GET /health needs a key from `voucher-engine keys add`.
      Voyado Engage v3 is served under /api/v3/ (apikey: APP_ID:TOKEN; not with
      --voucherify-only); --engage-rate N sets its limit of requests per second per
      key (default 200, as Engage's).
      Vauchar's routes are served at /vouchers… and /verifycredentials (Basic auth:
      the key's app id as merchant id, its token as API key), and the plain voucher
      API under /plain/v1/ (Bearer APP_ID:TOKEN), neither with --voucherify-only. The
      plain API's limits per key and window (default 100,50,200,100 per 60 s) are set
      with --plain-rate-limits and --plain-rate-window.
      --threads N: by default (0) every connection gets a thread of its own, so a
      till's redemption, which holds its thread until it is on disk, never waits
      behind another till's; N (up to 256) serves all connections from a pool of N
      threads instead.
      --voucherify-only: serve exactly Voucherify's routes, fields and parameters,
      without our extensions (GET /health, reactivate, name search, Idempotency-Key,
      the X-Voucher-Engine-Capabilities header, and the other dialects): to prove a
      client needs nothing of ours.

      Limits (defaults in brackets):
      --timeout S            a connection must start a request within S s of opening
                             or of its last answer (idle keep-alive, or a trickling
                             request line) [30]
      --header-timeout S     a request's headers must be complete S s after its
                             request line [10]
      --body-timeout S       its body must be complete S s after its headers [30]
      --max-connections N    connections open at once; near N the longest-idle
                             keep-alive connections are closed to make room, at N new
                             ones are refused [1000]
      --per-address N        connections open at once from one client address; past
                             it that address's longest-idle connection is closed
                             (0: no limit) [64]
      --auth-failures-per-key N
                             failed authentications of one app id per window, then 429
                             with Retry-After for that key [10]
      --auth-failures-per-address N
                             failures without a valid app id from one address
                             per window, then 429 for requests from it that lack
                             a valid key [30]
      --auth-window S        the window of both counts [60]
      --void-window MINUTES  a cashier key may void (roll back) its till's last
                             sale within this many minutes; any other void
                             needs support [10]
      Bodies over 1 MiB get 413; request headers over 16 KiB get 431.

      SIGTERM or SIGINT: stops accepting, lets no connection start a new request (one
      that arrives gets 503 with Connection: close), answers every request that began,
      and exits 0. --drain-timeout S [10] bounds the wait for requests still being
      read (a stalled upload is then closed); handlers already running (a redemption
      committing) finish and are answered, within a second bound of the same length.
      """,
    spec: OptionSpec(
      flags: ["quiet", "voucherify-only"],
      options: [
        "listen", "threads", "timeout", "engage-rate", "header-timeout", "body-timeout",
        "drain-timeout", "max-connections", "per-address", "auth-failures-per-key",
        "auth-failures-per-address", "auth-window", "plain-rate-limits", "plain-rate-window",
        "void-window",
      ])
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
    let arguments = context.arguments
    options.connectionTimeout =
      try arguments.integer("timeout", in: 1...3600) ?? options.connectionTimeout
    options.headerTimeout = Double(
      try arguments.integer("header-timeout", in: 1...3600) ?? Int(options.headerTimeout))
    options.bodyTimeout = Double(
      try arguments.integer("body-timeout", in: 1...3600) ?? Int(options.bodyTimeout))
    options.drainTimeout = Double(
      try arguments.integer("drain-timeout", in: 1...3600) ?? Int(options.drainTimeout))
    options.maxConnections =
      try arguments.integer("max-connections", in: 1...100_000) ?? options.maxConnections
    options.perAddressLimit =
      try arguments.integer("per-address", in: 0...100_000) ?? options.perAddressLimit
    var limits = AuthLimits()
    limits.perKey =
      try arguments.integer("auth-failures-per-key", in: 1...1_000_000) ?? limits.perKey
    limits.perAddress =
      try arguments.integer("auth-failures-per-address", in: 1...1_000_000) ?? limits.perAddress
    limits.window = try arguments.integer("auth-window", in: 1...86_400) ?? limits.window
    let engageRate =
      try context.arguments.integer("engage-rate", in: 1...100_000) ?? EngageDialect.defaultRate
    let window = try context.arguments.integer("plain-rate-window", in: 1...3600) ?? 60
    let limitsText = context.arguments.value("plain-rate-limits") ?? "100,50,200,100"
    guard let plainLimits = PlainRateLimits.parse(limitsText, window: window) else {
      throw UsageError(
        "--plain-rate-limits must be four whole numbers above 0, like 100,50,200,100")
    }
    let voucherifyOnly = context.arguments.flag("voucherify-only")
    let voidMinutes = try context.arguments.integer("void-window", in: 0...1440) ?? 10
    // Armed before the database is opened and the server's threads start: a stop signal sent
    // from then on is kept until it is read, never lost.
    let stopSignal = StopSignal()
    let engine = try context.engine()
    let server: APIServer
    // One count of failed authentications, whichever dialect's header carried the key.
    let throttle = AuthThrottle(limits: limits)
    do {
      server = try APIServer(
        engine: engine, host: host, port: port, options: options,
        accessLog: context.arguments.flag("quiet") ? .none : .standardError,
        // Voucherify's surface only means no other dialect either.
        dialects: voucherifyOnly
          ? []
          : [
            EngageDialect(engine: engine, rate: engageRate, throttle: throttle),
            VaucharDialect(engine: engine, throttle: throttle),
            PlainDialect(engine: engine, limits: plainLimits, throttle: throttle),
          ],
        surface: voucherifyOnly ? .voucherifyOnly : .full,
        cashierVoidWindow: TimeInterval(voidMinutes * 60), throttle: throttle)
    } catch let error as HTTPServerError {
      Output.error(error.description)
      return exitFailure
    }
    // Unbuffered: a supervisor (or a test) reads the port from this line at once.
    Output.immediate("listening on \(server.baseURL)")
    stopSignal.wait()
    server.stop()
    return exitDone
  }
}

/// SIGTERM and SIGINT, delivered through Dispatch so that the stop runs as ordinary code,
/// not in a signal handler.
///
/// Both are blocked first, on the calling thread and so on every thread started after it
/// (the server's, the database's): a signal sent before Dispatch reads them stays pending
/// instead of acting. The old way (ignore the signal, then let Dispatch arm its source in
/// the background) lost a SIGTERM sent in between: a server stopped just after it said it
/// was listening ignored it and ran on (20 starts with SIGTERM at once: a hang in each of
/// 3 runs).
final class StopSignal {
  private let stop = DispatchSemaphore(value: 0)
  private let sources: [any DispatchSourceSignal]

  init() {
    var blocked = sigset_t()
    sigemptyset(&blocked)
    sigaddset(&blocked, SIGTERM)
    sigaddset(&blocked, SIGINT)
    pthread_sigmask(SIG_BLOCK, &blocked, nil)
    let queue = DispatchQueue(label: "serve.signals")
    let armed = DispatchGroup()
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGTERM, SIGINT] {
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { [stop] in stop.signal() }
      armed.enter()
      source.setRegistrationHandler { armed.leave() }
      source.resume()
      sources.append(source)
    }
    // Dispatch arms a source on its own thread: waited for, so that a signal the pending set
    // holds is read from here on.
    armed.wait()
    self.sources = sources
  }

  /// Blocks until SIGTERM or SIGINT arrives (or arrived since `init`).
  func wait() {
    stop.wait()
    sources.forEach { $0.cancel() }
  }
}
