import Foundation

/// A throwaway PostgreSQL cluster the tests start themselves: `initdb` and `pg_ctl` in a
/// folder of the temporary directory, reachable only through a Unix socket in that folder
/// (`listen_addresses=''`). As root (PostgreSQL refuses to run as root) its programs run as
/// the `postgres` user on a folder that user owns.
///
/// The folder is named after the test process; a cluster left running by a test process
/// that died (SIGKILL, a crash) is stopped and removed when the next one starts.
public final class PostgreSQLCluster: @unchecked Sendable {
  /// The folder holding the data directory, the socket and the log.
  public let folder: String
  private let bin: String
  private let lock = NSLock()
  private var databases = 0

  /// The line that installs what the tests need, for failure messages.
  public static let installLine = "apt-get install -y postgresql libpq-dev"

  /// The cluster every test of this process shares, started on first use and stopped when
  /// the process exits.
  public static func shared() throws -> PostgreSQLCluster {
    try sharedCluster.get()
  }

  private static let sharedCluster: Result<PostgreSQLCluster, any Error> = Result {
    let cluster = try PostgreSQLCluster(name: "shared")
    sharedForExit = cluster
    atexit { PostgreSQLCluster.sharedForExit?.stop() }
    return cluster
  }

  private nonisolated(unsafe) static var sharedForExit: PostgreSQLCluster?

  /// A cluster of its own (for a test that restarts it), stopped by `stop()`.
  ///
  /// - Throws: `ClusterError` naming what failed, with the install line when PostgreSQL's
  ///   programs are missing.
  public init(name: String) throws {
    guard let bin = Self.programFolder() else {
      throw ClusterError(
        "PostgreSQL's programs (initdb, pg_ctl) are not installed; install them with: \(Self.installLine)"
      )
    }
    self.bin = bin
    Self.removeStaleClusters(bin: bin)
    folder = "/tmp/voucher-pg-\(getpid())-\(name)"
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    if geteuid() == 0, chown(folder, Self.postgresUser.uid, Self.postgresUser.gid) != 0 {
      throw ClusterError("cannot give \(folder) to the postgres user")
    }
    try run(
      "initdb",
      ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"])
    let settings = """

      listen_addresses = ''
      unix_socket_directories = '\(folder)'
      max_connections = 300
      shared_buffers = 64MB
      synchronous_commit = on
      """
    let configuration = URL(fileURLWithPath: data + "/postgresql.conf")
    let handle = try FileHandle(forWritingTo: configuration)
    handle.seekToEndOfFile()
    handle.write(Data(settings.utf8))
    try handle.close()
    try start()
  }

  private var data: String { folder + "/data" }

  /// The `postgres` user's ids (as root, the cluster's files are the server's).
  private static var postgresUser: (uid: uid_t, gid: gid_t) {
    guard let entry = getpwnam("postgres") else { return (0, 0) }
    return (entry.pointee.pw_uid, entry.pointee.pw_gid)
  }

  /// A URL for `database` as the cluster's superuser, over the socket.
  public func url(database: String) -> String {
    "postgresql://postgres@/\(database)?host=\(folder)"
  }

  /// Creates a new empty database and returns its URL.
  public func createDatabase() throws -> String {
    lock.lock()
    databases += 1
    let name = "vouchers_\(databases)"
    lock.unlock()
    try psql("CREATE DATABASE \(name)")
    return url(database: name)
  }

  /// A URL for a new empty schema of one shared database: for a store of its own per test,
  /// far cheaper than a database each (no files copied, no process per test). The schemas
  /// are made a batch at a time; the URL sets the session's `search_path` to one of them.
  public func createSchema() throws -> String {
    lock.lock()
    defer { lock.unlock() }
    if freeSchemas.isEmpty {
      if schemasMade == 0 { try psql("CREATE DATABASE stores") }
      let batch = (schemasMade + 1)...(schemasMade + 100)
      try psql(batch.map { "CREATE SCHEMA store_\($0);" }.joined(), database: "stores")
      freeSchemas = batch.reversed().map { "store_\($0)" }
      schemasMade += batch.count
    }
    let schema = freeSchemas.removeLast()
    return url(database: "stores") + "&options=-csearch_path%3D\(schema)"
  }

  private var freeSchemas: [String] = []
  private var schemasMade = 0

  /// Runs SQL through `psql` on the database (and schema) of `url`; its output.
  @discardableResult
  public func psql(_ sql: String, url: String) throws -> String {
    try Self.run(
      bin + "/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
  }

  /// Runs SQL through `psql` on the `postgres` database (or `database`); its output.
  @discardableResult
  public func psql(_ sql: String, database: String = "postgres") throws -> String {
    try Self.run(
      bin + "/psql",
      [
        "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", folder, "-U", "postgres", "-d",
        database,
        "-c", sql,
      ])
  }

  /// Starts the cluster (again) and waits until it accepts connections.
  public func start() throws {
    // Not through a pipe: the server inherits the pipe's descriptors and keeps them open, so
    // reading to its end would never end. The server's log says why a start failed.
    do {
      try Self.run(
        bin + "/pg_ctl", ["-D", data, "-l", folder + "/log", "-w", "-t", "60", "start"],
        asOwner: true, captureOutput: false)
    } catch let error as ClusterError {
      let log = (try? String(contentsOfFile: folder + "/log", encoding: .utf8)) ?? ""
      throw ClusterError("\(error.description)\n\(log.suffix(2000))")
    }
  }

  /// Stops the cluster at once, as a crash would (`-m immediate`): what was committed must be
  /// there after `start()`.
  public func crash() throws {
    try run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
  }

  /// Stops the cluster and removes its folder.
  public func stop() {
    _ = try? run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
    try? FileManager.default.removeItem(atPath: folder)
  }

  /// The folder of `initdb`, `pg_ctl` and `pgbench`: the newest `/usr/lib/postgresql/N/bin`,
  /// else PATH.
  public static func programFolder() -> String? {
    let versions =
      (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
    for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
      let folder = "/usr/lib/postgresql/\(version)/bin"
      if FileManager.default.isExecutableFile(atPath: folder + "/initdb") { return folder }
    }
    for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
      if FileManager.default.isExecutableFile(atPath: "\(folder)/initdb") { return String(folder) }
    }
    return nil
  }

  /// Clusters of test processes that no longer run: stopped and removed.
  private static func removeStaleClusters(bin: String) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
    for name in names where name.hasPrefix("voucher-pg-") {
      let parts = name.dropFirst("voucher-pg-".count).split(separator: "-")
      guard let owner = parts.first.flatMap({ Int32($0) }), owner != getpid(),
        kill(owner, 0) != 0, errno == ESRCH
      else { continue }
      let folder = "/tmp/\(name)"
      _ = try? run(
        bin + "/pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"], asOwner: true)
      try? FileManager.default.removeItem(atPath: folder)
    }
  }

  private func run(_ program: String, _ arguments: [String]) throws {
    try Self.run(bin + "/" + program, arguments, asOwner: true)
  }

  /// Runs a program to its end; its output, or `ClusterError` with the output when it fails.
  /// `asOwner`: as the `postgres` user when this process is root.
  ///
  /// posix_spawn and waitpid rather than `Process`: `Process.waitUntilExit` never returned
  /// after `pg_ctl start` here (the server it leaves running is re-parented, and the exit was
  /// not noticed). The output goes to a file, not a pipe, and the child gets no descriptor
  /// but those three: a server started now must not hold open another test's pipe.
  @discardableResult
  private static func run(
    _ program: String, _ arguments: [String], asOwner: Bool = false, captureOutput: Bool = true
  ) throws -> String {
    var argv = [program] + arguments
    if asOwner, geteuid() == 0 { argv = ["/usr/sbin/runuser", "-u", "postgres", "--"] + argv }
    let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent(
      "voucher-pg-output-\(UUID().uuidString)"
    ).path
    defer { try? FileManager.default.removeItem(atPath: outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(
      &actions, 1, captureOutput ? outputPath : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
      posix_spawn_file_actions_addclose(&actions, descriptor)
    }
    let cArguments = argv.map { strdup($0) } + [nil]
    defer { for argument in cArguments { free(argument) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
    guard spawned == 0 else {
      throw ClusterError("cannot start \(argv[0]): \(String(cString: strerror(spawned)))")
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    // Exited normally with status 0 (WIFEXITED and WEXITSTATUS, macros Swift cannot call).
    guard status & 0xFFFF == 0 else {
      throw ClusterError(
        "\((program as NSString).lastPathComponent) \(arguments.joined(separator: " ")) failed: \(text)"
      )
    }
    return text
  }
}

/// A failure to start or use the test cluster.
public struct ClusterError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Runs blocking work (a database, a child process, a long copy) on a Dispatch thread: the
/// threads Swift concurrency runs tests on are as few as the cores, and a test blocking
/// them starves every other test of the process.
public func offTheTestThreads<T: Sendable>(_ body: @escaping @Sendable () throws -> T)
  async throws -> T
{
  try await withCheckedThrowingContinuation { continuation in
    DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
  }
}
