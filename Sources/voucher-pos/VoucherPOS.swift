import CashierUI
import EngageClient
import Foundation
import PlainClient
import VaucharClient
import VoucherClient
import VoucherEngine
import VoucherRESTClient

/// The program: flags, the backend, the terminal, the loop. Returns the exit code.
enum VoucherPOS {
  static let version = "0.1.0"

  static func main(_ arguments: [String]) -> Int32 {
    let options: Options
    do {
      switch try Options.parse(arguments) {
      case .help:
        print(Options.help)
        return 0
      case .version:
        print("voucher-pos \(version)")
        return 0
      case .run(let parsed):
        options = parsed
      }
    } catch {
      printError("voucher-pos: \(error.message)\nTry voucher-pos --help.")
      return 2
    }
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
      printError("voucher-pos: needs a terminal (stdin and stdout must be a tty)")
      return 1
    }
    let terminalName = Environment.value("TERM").flatMap { $0.isEmpty ? nil : $0 }
    switch CursesTerminal.canAddressCursor() {
    case true?:
      break
    case false?:
      printError(
        "voucher-pos: this terminal (TERM=\(terminalName ?? "")) cannot move the cursor; run it in a full-screen terminal, e.g. with TERM=xterm-256color"
      )
      return 1
    case nil:
      printError(
        "voucher-pos: the terminal type \(terminalName.map { "“\($0)”" } ?? "(TERM is not set)") is not known here; set TERM to one this machine knows, e.g. TERM=xterm-256color"
      )
      return 1
    }

    let remote: (any VoucherClient)?
    do {
      // Flags first, then the environment; --demo and --db mean a local database.
      remote =
        options.demo || options.database != nil ? nil : try remoteClient(options)
    } catch {
      printError("voucher-pos: \(error)\nTry voucher-pos --help.")
      return 2
    }

    var demoFolder: URL?
    defer { if let demoFolder { try? FileManager.default.removeItem(at: demoFolder) } }
    var state: AppState
    var runner: EffectRunner?
    /// A demo's data, loading while its first frame is drawn.
    var demoLoad: DemoLoad?
    let journal: Journal
    let defaultJournal = Journal.defaultPath(
      terminal: options.terminal, environment: ProcessInfo.processInfo.environment)
    do {
      // The zone is looked up when a date is first shown, not here: `.current` would
      // resolve it now, most of a millisecond before a first frame that shows no date.
      var session = Session(
        backend: "", isDemo: options.demo, terminal: options.terminal, cashier: options.cashier,
        role: options.role, redeemTimeout: options.redeemTimeout,
        timeZone: .autoupdatingCurrent, saleTag: String(UUID().uuidString.prefix(8)).lowercased())
      session.maxSale = options.maxSale
      session.voidWindow = TimeInterval(options.voidWindowMinutes * 60)
      if let remote {
        // The status bar names the endpoint and checks that it answers; the empty-database
        // screen is a local matter (the server's owner loads its data).
        session.backend = remote.backendDescription
        journal = Journal(path: options.journal ?? defaultJournal)
        // The first screen adapts to what a REST server offers: ask before building it.
        if let rest = remote as? RESTClient { waitFor { await rest.discover() } }
        runner = EffectRunner(client: remote, journal: journal)
        session.isRemote = true
        // The status bar shows the role the server grants the key, once it says.
        session.roleSource = .askingServer
        state = AppState(session: session, now: Date())
      } else if options.demo {
        // A demo is never empty and shows nothing of its data on the first screen: the
        // frame is drawn while the data loads on another thread, and keys wait for it.
        guard let catalog = DemoCatalog.locate() else {
          throw CatalogError(
            message: "demo data not found: set VOUCHER_POS_DEMO_DATA to Assets/demo/demo.json")
        }
        let folder = try DemoFolder.make()
        demoFolder = folder
        let path = folder.appendingPathComponent("engine.sqlite").path
        demoLoad = DemoLoad(path: path, catalog: catalog)
        session.backend = path
        journal = Journal(
          path: options.journal ?? folder.appendingPathComponent("journal.jsonl").path)
        session.capabilities = .engine
        state = AppState(session: session, now: Date())
      } else {
        let path =
          try demoFolder.map { $0.appendingPathComponent("engine.sqlite").path }
          ?? options.database ?? VoucherEngine.defaultDatabasePath()
        let engine = try VoucherEngine(path: path)
        let isEmpty = try engine.isEmpty()
        session.backend = path
        journal = Journal(path: options.journal ?? defaultJournal)
        runner = EffectRunner(
          client: LocalClient(engine: engine, description: path), journal: journal)
        session.currency = engine.defaultCurrency
        state = AppState(
          session: session, now: Date(),
          databaseIsEmpty: isEmpty)
      }
      if var made = runner {
        state = try ready(state, &made, journal, options, demoFolder: nil)
        runner = made
      }
    } catch {
      printError("voucher-pos: \(error)")
      return 1
    }

    let terminalGuard = TerminalGuard(
      removeOnSignal: demoFolder.map { folder in
        DemoFolder.knownFiles.map {
          folder.appendingPathComponent($0).path
        } + [folder.path]
      } ?? [])
    defer { terminalGuard.release() }
    let terminal = CursesTerminal.start(
      colors: Environment.value("NO_COLOR").map(\.isEmpty) ?? true)
    terminalGuard.resetSequence = terminal.resetSequence
    defer { terminal.stop() }
    if let demoLoad {
      var canvas = Canvas(width: terminal.size.width, height: terminal.size.height)
      render(state, into: &canvas)
      terminal.draw(canvas)
      do {
        let engine = try demoLoad.wait()
        let path = state.session.backend
        var made = EffectRunner(
          client: LocalClient(engine: engine, description: path), journal: journal)
        state.session.currency = engine.defaultCurrency
        state = try ready(state, &made, journal, options, demoFolder: demoFolder)
        runner = made
      } catch {
        terminal.stop()
        printError("voucher-pos: \(error)")
        return 1
      }
    }
    guard let runner else { return 1 }
    var running = state
    Runtime(terminal: terminal, runner: runner).run(&running)
    terminal.stop()
    if running.quitsUnresolved {
      printError(
        "voucher-pos: not known yet whether order \(running.sale.orderId) was redeemed; it is kept in \(journal.path) and checked at the next start."
      )
      return 3
    }
    return 0
  }

  /// The client for `--endpoint`, in the dialect `--api` names; nil when no endpoint is set.
  static func remoteClient(_ options: Options) throws -> (any VoucherClient)? {
    switch options.api {
    case .engine:
      guard
        let remote = try RESTClientConfiguration.resolve(
          endpoint: options.endpoint, appId: options.appId, tokenFile: options.tokenFile)
      else { return nil }
      return RESTClient(baseURL: remote.endpoint, appId: remote.appId, token: remote.token)
    case .engage:
      let remote = try EngageClientConfiguration.resolve(
        endpoint: options.endpoint, appId: options.appId, tokenFile: options.tokenFile)
      return EngageClient(
        baseURL: remote.endpoint, apikey: remote.apikey, userAgent: "voucher-pos/\(version)")
    case .vauchar:
      guard
        let remote = try RESTClientConfiguration.resolve(
          endpoint: options.endpoint, appId: options.appId, tokenFile: options.tokenFile)
      else { return nil }
      return VaucharClient(
        baseURL: remote.endpoint, merchantId: remote.appId, apiKey: remote.token)
    case .vouchersV1:
      // A Bearer token is its one credential.
      guard
        let remote = try RESTClientConfiguration.resolve(
          endpoint: options.endpoint, tokenFile: options.tokenFile, requiresAppId: false)
      else { return nil }
      return PlainClient(baseURL: remote.endpoint, token: remote.token)
    }
  }

  /// The state to start from: attempts an earlier run left without an outcome are
  /// resolved before the first sale. The journal is rewritten with only those (a copy of
  /// one with unreadable lines is kept beside it), so it never grows without end.
  static func resumed(_ state: AppState, from journal: Journal) throws -> AppState {
    do { try journal.claim() } catch {
      throw Journal.JournalError(description: "the journal: \(error.description)")
    }
    let contents = journal.read()
    if !contents.problems.isEmpty {
      try? FileManager.default.copyItem(
        atPath: journal.path,
        toPath: journal.path + ".unreadable-\(Int(Date().timeIntervalSince1970))")
    }
    if FileManager.default.fileExists(atPath: journal.path) {
      do { try journal.compact(keeping: contents.unresolved) } catch {
        throw Journal.JournalError(description: "the journal: \(error.description)")
      }
    }
    // Only the back end an attempt was sent to can say what became of it.
    let here = contents.unresolved.filter { $0.backend == state.session.backend }
    let elsewhere = contents.unresolved.count - here.count
    var resumed = AppState(
      session: state.session, now: state.now,
      databaseIsEmpty: state.route == .emptyDatabase, unresolved: here)
    var problems = contents.problems
    if elsewhere > 0 {
      problems.append(
        "\(elsewhere) unfinished sale(s) in the journal were sent to another back end: start the till with it to resolve them."
      )
    }
    if let first = problems.first {
      let more = problems.count > 1 ? " (and \(problems.count - 1) more)" : ""
      resumed.notice = Notice(first + more, isError: true)
      for problem in problems { printError("voucher-pos: \(problem)") }
    }
    return resumed
  }

  /// Runs `work` to its end from this synchronous start-up.
  static func waitFor(_ work: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task.detached {
      await work()
      done.signal()
    }
    done.wait()
  }

  static func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// The runner's receipts and the state to start from, once the back end is open.
  static func ready(
    _ state: AppState, _ runner: inout EffectRunner, _ journal: Journal, _ options: Options,
    demoFolder: URL?
  ) throws -> AppState {
    // Receipts of a demo go with its throwaway database.
    runner.receipts = ReceiptFiler(
      folder: options.receipts
        ?? demoFolder.map { $0.appendingPathComponent("receipts").path }
        ?? ReceiptFiler.defaultFolder(environment: ProcessInfo.processInfo.environment),
      width: options.receiptWidth, prints: options.prints)
    var state = state
    state.session.capabilities = runner.client.capabilities
    return try resumed(state, from: journal)
  }

  /// The till's own durable store on a fresh database, seeded from `Assets/demo` in one
  /// transaction (one commit, not one per customer, voucher and past redemption, and no
  /// second open afterwards), so the demo never touches real data.
  static func openDemo(at path: String, catalog: URL) throws -> VoucherEngine {
    let engine = try VoucherEngine(path: path)
    // A support member, so a demo's support work can be tried (its prompt names the PIN).
    try Catalog.load(from: catalog).applyInOneTransaction(to: engine, now: Date()) { joined in
      try joined.addStaff(
        name: AppState.demoSupport.name, role: .support, pin: AppState.demoSupport.pin)
    }
    return engine
  }
}

/// The demo's database made and seeded on a thread of its own, started at once; `wait`
/// gives the engine (or the error) when the first frame is on screen.
final class DemoLoad: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  /// Written once by the loading thread before `done` is signalled, read after the wait.
  private var result: Result<VoucherEngine, any Error>?

  init(path: String, catalog: URL) {
    Thread.detachNewThread { [self] in
      result = Result { try VoucherPOS.openDemo(at: path, catalog: catalog) }
      done.signal()
      // Off the first frame and the load: what demos killed earlier left behind.
      DemoFolder.removeAbandoned(keeping: (path as NSString).deletingLastPathComponent)
    }
  }

  func wait() throws -> VoucherEngine {
    done.wait()
    return try result!.get()
  }
}
