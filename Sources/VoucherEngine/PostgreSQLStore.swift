import Foundation

/// The PostgreSQL store: several `serve` processes (on one machine or many) share one
/// database, which PostgreSQL backs up, replicates and fails over by its own means.
///
/// Exactly once across servers, with two kinds of write. A redemption (`writeLocking`)
/// takes the store's write lock (a transaction-level advisory lock per schema) shared, then
/// the advisory lock of its idempotency key and the rows of its vouchers (`FOR UPDATE`),
/// each set in sorted order, before it reads anything: the rules' read-check-write of a
/// voucher's uses, balance, holds and per-customer count, and of the key's record, then
/// runs on rows no other transaction can change until it commits, and redemptions of
/// different vouchers commit side by side (PostgreSQL flushes their commits together).
/// Sorted order means stacked sales on two servers in opposite orders cannot deadlock.
/// Every other write (`write`, `writeGrouped`: the fence, reactivations, customers,
/// issuance, keys, migrations) takes the write lock exclusively, so it runs alone, as
/// `VoucherStore` promises, and the fence's close of an attempt is ordered with every
/// redemption, whichever server either reaches. PostgreSQL releases the locks only once the
/// commit is flushed and visible, and each statement reads the latest committed rows, so
/// the next writer always reads what the last one wrote. Concurrent exclusive writes of
/// one server share one transaction and one commit (group commit). Reads take no lock and
/// open no transaction: each of their statements reads its own snapshot (see `read`).
///
/// The constraints stay the last line of defence behind the rules, as in SQLite: one
/// redemption per (voucher, order), uses never above the quantity, balances never below 0,
/// an append-only event log, and no answer saved for an attempt the fence closed.
///
/// Connections: a small pool per process, opened when needed. After the database restarts,
/// the pooled connections are found broken on their first use and replaced; a transaction
/// that failed before it began is run once more on a new connection, any other failure of
/// the connection is `StoreError.unavailable` (which `serve` answers with 503), and so is
/// every call while the database is down.
public final class PostgreSQLStore: VoucherStore {
  /// The connection URL (never with a password: see `checkLocation`).
  public let url: String
  private let pool: Pool
  private let group = GroupCommit()

  /// The schema version this release writes.
  public static var schemaVersion: Int { PostgreSQLSchema.migrations.count }

  /// The advisory lock every write takes: "vouc" in ASCII with the hash of the schema the
  /// tables are in. Advisory locks belong to one database, and the schema's part keeps stores
  /// in different schemas of one database from waiting for each other.
  static let writeLock = "pg_advisory_xact_lock(1987016035, hashtext(current_schema()))"
  /// The same lock, shared: what redemptions take (see `writeLocking`).
  static let sharedWriteLock =
    "pg_advisory_xact_lock_shared(1987016035, hashtext(current_schema()))"

  /// True for a `postgresql://` or `postgres://` URL (anything else is a SQLite path).
  public static func isLocation(_ text: String) -> Bool {
    let lower = text.lowercased()
    return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
  }

  /// Refuses a URL carrying a password: passwords come from `PGPASSFILE` or `PGPASSWORD`, so
  /// that none is shown by `ps` or kept in a shell's history.
  ///
  /// - Throws: `StoreError.cannotOpen` saying so.
  public static func checkLocation(_ url: String) throws {
    guard let schemeEnd = url.range(of: "://") else { return }
    let rest = url[schemeEnd.upperBound...]
    let authority = rest.prefix { $0 != "/" && $0 != "?" }
    let hasUserPassword =
      authority.contains("@")
      && authority.split(separator: "@", omittingEmptySubsequences: false)[0].contains(":")
    let query = rest.drop { $0 != "?" }.dropFirst()
    let hasPasswordParameter = query.split(separator: "&").contains {
      $0.lowercased().hasPrefix("password=")
    }
    if hasUserPassword || hasPasswordParameter {
      throw StoreError.cannotOpen(
        path: "the PostgreSQL URL",
        detail:
          "a password is never given on the command line; put it in PGPASSFILE (~/.pgpass) or PGPASSWORD"
      )
    }
  }

  /// Connects to the database at `url`, creating and migrating its tables when needed.
  ///
  /// - Parameter poolSize: connections kept open at most: the reads and redemptions that
  ///   run at once (PostgreSQL's own pgbench is measured with 16 clients).
  /// - Throws: `StoreError.cannotOpen` when the URL carries a password or the database does
  ///   not answer, `StoreError.newerSchema` for a database made by a newer release.
  public init(url: String, poolSize: Int = 16) throws {
    try Self.checkLocation(url)
    self.url = url
    pool = Pool(conninfo: url, capacity: max(1, poolSize))
    do {
      let connection = try pool.acquire()
      defer { pool.release(connection) }
      try Self.migrate(connection)
    } catch let error as PostgreSQLError {
      throw StoreError.cannotOpen(path: url, detail: error.message)
    } catch StoreError.unavailable(let detail) {
      throw StoreError.cannotOpen(path: url, detail: detail)
    }
  }

  private static func migrate(_ connection: PostgreSQLConnection) throws {
    // Under the write lock: two servers starting together migrate once, and no write runs
    // against a half-made layout.
    try connection.execute(
      """
      BEGIN; SELECT \(writeLock);
      CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);
      """)
    do {
      let found = try connection.first("SELECT version FROM schema_version") { $0.int(0) }
      let version = Int(found ?? 0)
      guard version <= PostgreSQLSchema.migrations.count else {
        throw StoreError.newerSchema(found: version, supported: PostgreSQLSchema.migrations.count)
      }
      for (index, migration) in PostgreSQLSchema.migrations.enumerated() where index >= version {
        try connection.execute(migration)
      }
      if found == nil {
        try connection.run(
          "INSERT INTO schema_version (version) VALUES ($1)",
          [.integer(Int64(PostgreSQLSchema.migrations.count))])
      } else if version < PostgreSQLSchema.migrations.count {
        try connection.run(
          "UPDATE schema_version SET version = $1",
          [.integer(Int64(PostgreSQLSchema.migrations.count))])
      }
      try connection.execute("COMMIT")
    } catch {
      try? connection.execute("ROLLBACK")
      throw error
    }
  }

  /// Removes every table and makes them again, empty (`seed --force`, `migrate --force`).
  public func erase() throws {
    try withRetry {
      let connection = try pool.acquire()
      defer { pool.release(connection) }
      try connection.execute(
        """
        BEGIN; SELECT \(Self.writeLock);
        DROP TABLE IF EXISTS staff, session_locks, closed_attempts, api_keys, issued_vouchers,
          issuance_batches,
          events, idempotency_keys, rollbacks, redemptions, vouchers, customer_words, customers,
          schema_version CASCADE;
        DROP FUNCTION IF EXISTS events_append_only(), closed_attempts_never_land();
        COMMIT
        """)
      try Self.migrate(connection)
    }
  }

  /// Runs SQL of its own (the move from SQLite, tests) in one write transaction.
  func withWriteConnection<T>(_ body: (PostgreSQLConnection) throws -> T) throws -> T {
    try withRetry {
      let connection = try begun(Control.beginWrite)
      defer { pool.release(connection) }
      let result = try body(connection)
      try connection.execute("COMMIT")
      return result
    }
  }

  /// Runs `body`'s statements outside a transaction block: each one reads a snapshot of
  /// everything committed when it began (a write is never seen half done), and the BEGIN
  /// and COMMIT around them, two round trips to the server of the three a one-statement
  /// read took, are saved. A read that pages through a cursor opens a transaction for it.
  public func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try withRetry {
      var attempt = 0
      while true {
        let connection = try pool.acquire()
        defer { pool.release(connection) }
        do {
          return try body(PostgreSQLTransaction(connection: connection))
        } catch let error as PostgreSQLError {
          // The database restarted since this connection was last used: a read changed
          // nothing, so it runs once more on a new one (releasing this one drops them all).
          guard connection.isBroken, attempt == 0 else { throw error }
          attempt += 1
        }
      }
    }
  }

  public func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try withRetry {
      let connection = try begun(Control.beginWrite)
      defer { pool.release(connection) }
      let result = try body(PostgreSQLTransaction(connection: connection))
      try connection.commit()
      return result
    }
  }

  public func writeGrouped<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try withoutActuallyEscaping(body) { body in
      var result: Result<T, any Error>?
      let job = GroupCommit.Job { transaction in
        do {
          result = .success(try body(transaction))
          return true
        } catch {
          result = .failure(error)
          return false
        }
      }
      group.submit(job) { batch in try runBatch(batch) }
      job.run = nil
      if let error = job.commitError { throw Self.mapped(error) }
      guard let result else { throw StoreError.corrupt("a grouped write did not run") }
      do {
        return try result.get()
      } catch {
        throw Self.mapped(error)
      }
    }
  }

  /// A redemption: its own transaction on its own connection, so that redemptions of
  /// different vouchers commit side by side (and PostgreSQL flushes their commits together).
  /// It takes the write lock shared (so no exclusive write runs beside it), then each key's
  /// advisory lock and the voucher rows, each set in sorted order (so two stacked sales in
  /// opposite orders cannot deadlock), all before the body reads anything.
  public func writeLocking<T>(
    codes: [String], keys: [String], customer: String?, order: String?,
    _ body: (any StoreTransaction) throws -> T
  ) throws -> T {
    try withRetry {
      var attempt = 0
      while true {
        let connection = try pool.acquire()
        defer { pool.release(connection) }
        let transaction = PostgreSQLTransaction(connection: connection)
        do {
          try transaction.lockForRedemption(
            customer: customer, codes: codes, keys: keys, order: order,
            after: Control.beginRedeem)
        } catch let error as PostgreSQLError {
          // Found broken (the database restarted since its last use): nothing has run, so
          // the redemption begins again once on a new connection, as `begun` does.
          guard connection.isBroken, attempt == 0 else { throw error }
          attempt += 1
          continue
        }
        let result = try body(transaction)
        try connection.commit()
        return result
      }
    }
  }

  /// A text[] literal: every element quoted, with `"` and `\` escaped.
  static func arrayLiteral(_ elements: [String]) -> String {
    let quoted = elements.map { element in
      var text = "\""
      for character in element {
        if character == "\"" || character == "\\" { text.append("\\") }
        text.append(character)
      }
      return text + "\""
    }
    return "{" + quoted.joined(separator: ",") + "}"
  }

  /// One transaction for the whole batch; each job after the first in a savepoint of its own.
  /// A refusal rolls back to the savepoint, which stays in place for the next job.
  private func runBatch(_ batch: [GroupCommit.Job]) throws {
    let connection = try begun(Control.beginWrite)
    defer { pool.release(connection) }
    if batch.count == 1 {
      // Alone in its batch, a write needs no savepoint: a refusal rolls all of it back.
      if batch[0].run?(PostgreSQLTransaction(connection: connection)) ?? false {
        try connection.commit()
      }
      return
    }
    try connection.execute("SAVEPOINT grouped")
    for (index, job) in batch.enumerated() {
      // A transaction value each: what one job read (a voucher's holds) is not the next
      // one's, whose savepoint may have undone it.
      if job.run?(PostgreSQLTransaction(connection: connection)) ?? false {
        if index < batch.count - 1 { try connection.execute("RELEASE grouped; SAVEPOINT grouped") }
      } else {
        // What the refused job held back is undone with it, not sent first.
        connection.discardHeldBack()
        try connection.execute("ROLLBACK TO SAVEPOINT grouped")
      }
    }
    try connection.commit()
  }

  /// A pooled connection with `begin` run on it. A connection found broken here (the
  /// database restarted since it was last used) is replaced once: nothing has run yet.
  private func begun(_ begin: String) throws -> PostgreSQLConnection {
    var attempt = 0
    while true {
      let connection = try pool.acquire()
      do {
        try connection.execute(begin)
        return connection
      } catch let error as PostgreSQLError {
        let broken = connection.isBroken
        pool.release(connection)
        if broken, attempt == 0 {
          attempt += 1
          continue
        }
        throw Self.mapped(error)
      }
    }
  }

  /// Runs a transaction again after a serialisation failure or deadlock (which the write
  /// lock makes rare), and turns connection failures into `StoreError`.
  private func withRetry<T>(_ body: () throws -> T) throws -> T {
    var attempt = 0
    while true {
      do {
        return try body()
      } catch let error as PostgreSQLError where error.isRetryable && attempt < 5 {
        attempt += 1
      } catch {
        throw Self.mapped(error)
      }
    }
  }

  /// The store's own failures as `StoreError`; rule refusals and constraint errors unchanged.
  static func mapped(_ error: any Error) -> any Error {
    guard let error = error as? PostgreSQLError else { return error }
    if error.isLockTimeout { return StoreError.busy }
    if error.isConnectionFailure { return StoreError.unavailable(error.message) }
    return error
  }

  private enum Control {
    static let beginWrite = "BEGIN; SELECT \(writeLock)"
    // READ COMMITTED whatever the cluster's default: each statement after the locks reads
    // the rows as the last holder of those locks committed them.
    // Sent with the lock statement in one round trip (see `lockForRedemption`).
    static let beginRedeem = [
      SQL("BEGIN ISOLATION LEVEL READ COMMITTED"), SQL("SELECT \(sharedWriteLock)"),
    ]
  }

  /// At most `capacity` connections, opened on demand, each used by one thread at a time.
  private final class Pool: @unchecked Sendable {
    private let conninfo: String
    private let capacity: Int
    private let condition = NSCondition()
    private var idle: [PostgreSQLConnection] = []
    private var open = 0

    init(conninfo: String, capacity: Int) {
      self.conninfo = conninfo
      self.capacity = capacity
    }

    /// An idle connection, a new one while under capacity, or the next one given back.
    ///
    /// - Throws: `StoreError.unavailable` when a new connection cannot be made.
    func acquire() throws -> PostgreSQLConnection {
      condition.lock()
      while idle.isEmpty && open >= capacity { condition.wait() }
      if let connection = idle.popLast() {
        condition.unlock()
        return connection
      }
      open += 1
      condition.unlock()
      do {
        return try PostgreSQLConnection(conninfo: conninfo)
      } catch {
        condition.lock()
        open -= 1
        condition.signal()
        condition.unlock()
        throw StoreError.unavailable((error as? PostgreSQLError)?.message ?? "\(error)")
      }
    }

    /// Gives a connection back, rolling back what it left open. A broken one is closed, and
    /// so are the idle ones: after a restart of the database they are all broken.
    func release(_ connection: PostgreSQLConnection) {
      if !connection.isBroken, connection.inTransaction {
        connection.discardHeldBack()
        try? connection.execute("ROLLBACK")
      } else if !connection.isBroken {
        // Written outside a transaction block: it is owed to the database, not rolled back.
        try? connection.runHeldBack()
      }
      condition.lock()
      var closing: [PostgreSQLConnection] = []
      if connection.isBroken {
        closing = idle
        idle.removeAll()
        open -= 1 + closing.count
        closing.append(connection)
      } else {
        idle.append(connection)
      }
      // One connection came free: one waiter can use it. Waking them all (16 request
      // threads on a busy server) cost more CPU than the round trips they waited for. After
      // a restart several slots came free at once.
      if closing.count > 1 { condition.broadcast() } else { condition.signal() }
      condition.unlock()
      closing.removeAll()
    }
  }
}

extension PostgreSQLError {
  /// The connection is gone or the server is shutting down, restarting or starting.
  var isConnectionFailure: Bool {
    sqlState.isEmpty || sqlState.hasPrefix("08") || sqlState.hasPrefix("57P")
  }
}
