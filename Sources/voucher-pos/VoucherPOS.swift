import CashierUI
import Foundation
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

    let remote: RESTClientConfiguration?
    do {
      // Flags first, then the environment; --demo and --db mean a local database.
      remote =
        options.demo || options.database != nil
        ? nil
        : try RESTClientConfiguration.resolve(
          endpoint: options.endpoint, appId: options.appId, tokenFile: options.tokenFile)
    } catch {
      printError("voucher-pos: \(error.description)\nTry voucher-pos --help.")
      return 2
    }

    let demoFolder = options.demo ? demoFolderURL() : nil
    defer { if let demoFolder { try? FileManager.default.removeItem(at: demoFolder) } }
    var state: AppState
    let runner: EffectRunner
    do {
      var session = Session(
        backend: "", isDemo: options.demo, terminal: options.terminal, cashier: options.cashier,
        role: options.role, redeemTimeout: options.redeemTimeout,
        saleTag: String(UUID().uuidString.prefix(8)).lowercased())
      if let remote {
        // The status bar names the endpoint and checks that it answers; the empty-database
        // screen is a local matter (the server's owner loads its data).
        runner = EffectRunner(
          client: RESTClient(baseURL: remote.endpoint, appId: remote.appId, token: remote.token))
        session.backend = remote.endpoint.absoluteString
        session.isRemote = true
        state = AppState(session: session, now: Date())
      } else {
        let path =
          try demoFolder.map { try prepareDemo(in: $0) } ?? options.database
          ?? VoucherEngine.defaultDatabasePath()
        let engine = try VoucherEngine(path: path)
        let isEmpty = try engine.isEmpty()
        runner = EffectRunner(client: LocalClient(engine: engine, description: path))
        session.backend = path
        session.currency = engine.defaultCurrency
        state = AppState(
          session: session, now: Date(),
          databaseIsEmpty: isEmpty)
      }
    } catch {
      printError("voucher-pos: \(error)")
      return 1
    }

    let terminalGuard = TerminalGuard(
      removeOnSignal: demoFolder.map { folder in
        ["engine.sqlite", "engine.sqlite-wal", "engine.sqlite-shm"].map {
          folder.appendingPathComponent($0).path
        } + [folder.path]
      } ?? [])
    defer { terminalGuard.release() }
    let terminal = CursesTerminal.start(
      colors: ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true)
    terminalGuard.resetSequence = terminal.resetSequence
    defer { terminal.stop() }
    var running = state
    Runtime(terminal: terminal, runner: runner).run(&running)
    return 0
  }

  static func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  static func demoFolderURL() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "voucher-pos-demo-\(UUID().uuidString.prefix(8).lowercased())")
  }

  /// A fresh database seeded from `Assets/demo`, so the demo never touches real data.
  static func prepareDemo(in folder: URL) throws -> String {
    guard let catalog = DemoCatalog.locate() else {
      throw CatalogError(
        message: "demo data not found: set VOUCHER_POS_DEMO_DATA to Assets/demo/demo.json")
    }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("engine.sqlite").path
    // The file is deleted on exit, so seeding it need not wait for the disk; the till
    // opens it afresh, durable as always.
    let seeding = VoucherEngine(store: try SQLiteStore(path: path, readerCount: 0, durable: false))
    try Catalog.load(from: catalog).apply(to: seeding, now: Date())
    return path
  }
}
