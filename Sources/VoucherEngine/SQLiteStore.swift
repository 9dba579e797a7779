import CSQLite
import Foundation
import Synchronization

/// The SQLite store: WAL, `synchronous=FULL`, writes in `BEGIN IMMEDIATE` transactions.
///
/// One writer connection serialises writes inside the process; SQLite's file lock
/// serialises them across processes. Reads go to a small pool of their own connections, so
/// they never wait for a write to reach the disk.
public final class SQLiteStore: VoucherStore {
  /// The database file.
  public let path: String
  private let writer: Guarded
  private let readers: [Guarded]
  private let nextReader = Atomic<Int>(0)
  private let group = GroupCommit()

  /// The schema version this release writes.
  public static var schemaVersion: Int { SQLiteSchema.migrations.count }

  /// Opens (and if needed creates and migrates) the database at `path`.
  ///
  /// - Parameters:
  ///   - readerCount: connections kept for reads (0 sends reads to the writer).
  /// - Throws: `StoreError` when the file cannot be opened, is not a database, or was made
  ///   by a newer release.
  public init(path: String, readerCount: Int = 2) throws {
    self.path = path
    let connection: SQLiteConnection
    do {
      connection = try SQLiteConnection(path: path)
      // synchronous=FULL: acknowledged means on disk. 64 MiB of page cache: the default
      // 2 MiB sends index lookups on a million-voucher database to the kernel.
      try connection.execute(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
      )
      try Self.migrate(connection)
    } catch let error as SQLiteError {
      throw StoreError.cannotOpen(path: path, detail: error.message)
    }
    writer = Guarded(connection)
    var pool: [Guarded] = []
    for _ in 0..<(path == ":memory:" ? 0 : readerCount) {
      let reader = try SQLiteConnection(path: path)
      try reader.execute("PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; \(Self.mapping)")
      pool.append(Guarded(reader))
    }
    readers = pool
  }

  /// The readers read database pages through a memory map of the file instead of a `pread`
  /// each. A lookup on a million-voucher database misses the page cache for most leaf pages
  /// (and every reader's cache is emptied whenever any connection commits); through the map
  /// those pages come from the kernel's cache without a system call or a copy. Reads only:
  /// SQLite writes with `write()` and syncs as before, so durability is unchanged.
  /// (1 GiB of address space per reader; a larger file reads the rest as before.)
  ///
  /// Not the writer: mapped pages count as the process's resident memory, and a bulk
  /// issuance that touches the whole file through the writer went from 161 MB to 622 MB.
  private static let mapping = "PRAGMA mmap_size=1073741824;"

  /// SQLite's own consistency check: `["ok"]` when the file is sound.
  public func integrityCheck() throws -> [String] {
    try writer.withConnection { connection in
      var lines: [String] = []
      try connection.each("PRAGMA integrity_check", []) { lines.append($0.text(0)) }
      return lines
    }
  }

  private static func migrate(_ connection: SQLiteConnection) throws {
    try connection.execute("BEGIN IMMEDIATE")
    do {
      let version = Int(try connection.first("PRAGMA user_version") { $0.int(0) } ?? 0)
      guard version <= SQLiteSchema.migrations.count else {
        throw StoreError.newerSchema(found: version, supported: SQLiteSchema.migrations.count)
      }
      let objects = try connection.first("SELECT count(*) FROM sqlite_schema") { $0.int(0) }
      if version == 0, objects == 0 {
        // What the migrations would make, in one script (see `SQLiteSchema.current`).
        try connection.execute(SQLiteSchema.current)
      } else {
        for (index, migration) in SQLiteSchema.migrations.enumerated() where index >= version {
          try connection.execute(migration)
        }
      }
      // Written only when something changed: setting it rewrites the header page, one WAL
      // frame and one fsync at every open (the till's first frame waited for it).
      if version < SQLiteSchema.migrations.count {
        try connection.execute("PRAGMA user_version = \(SQLiteSchema.migrations.count)")
      }
      try connection.execute("COMMIT")
    } catch {
      try? connection.execute("ROLLBACK")
      throw error
    }
  }

  public func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    if readers.isEmpty {
      return try writer.withConnection { try Self.run(on: $0, begin: Control.begin, body) }
    }
    // Any free reader will do; if all are busy, queue on one in turn.
    for reader in readers {
      if let result = try reader.withConnectionIfFree({
        try Self.run(on: $0, begin: Control.begin, body)
      }) {
        return result
      }
    }
    let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue % readers.count
    return try readers[index].withConnection { try Self.run(on: $0, begin: Control.begin, body) }
  }

  public func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try writer.withConnection { try Self.run(on: $0, begin: Control.beginImmediate, body) }
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
      group.submit(job) { batch in
        try writer.withConnection { connection in
          try Self.runBatch(batch, on: connection)
        }
      }
      job.run = nil
      if let error = job.commitError { throw error }
      guard let result else { throw StoreError.corrupt("a grouped write did not run") }
      return try result.get()
    }
  }

  /// One transaction for the whole batch; each job in its own savepoint.
  private static func runBatch(_ batch: [GroupCommit.Job], on connection: SQLiteConnection) throws {
    do {
      try connection.run(Control.beginImmediate)
    } catch let error as SQLiteError where error.isBusy {
      throw StoreError.busy
    }
    do {
      let transaction = SQLiteTransaction(connection: connection)
      if batch.count == 1 {
        // Alone in its batch, a write needs no savepoint: the transaction is its own, and a
        // refusal rolls all of it back (two statements fewer for a lone till).
        if batch[0].run?(transaction) ?? false {
          try connection.run(Control.commit)
        } else if connection.inTransaction {
          // (Not after an I/O error that already rolled the transaction back.)
          try connection.run(Control.rollback)
        }
        return
      }
      for job in batch {
        try connection.run(Control.savepoint)
        if job.run?(transaction) ?? false {
          try connection.run(Control.release)
        } else {
          try connection.run(Control.rollbackToSavepoint)
          try connection.run(Control.release)
        }
      }
      try connection.run(Control.commit)
    } catch {
      try? connection.run(Control.rollback)
      if let error = error as? SQLiteError, error.isBusy { throw StoreError.busy }
      throw error
    }
  }

  private static func run<T>(
    on connection: SQLiteConnection, begin: SQL, _ body: (any StoreTransaction) throws -> T
  ) throws -> T {
    do {
      try connection.run(begin)
    } catch let error as SQLiteError where error.isBusy {
      throw StoreError.busy
    }
    do {
      let result = try body(SQLiteTransaction(connection: connection))
      try connection.run(Control.commit)
      return result
    } catch {
      try? connection.run(Control.rollback)
      if let error = error as? SQLiteError, error.isBusy { throw StoreError.busy }
      throw error
    }
  }

  /// Transaction control as cached statements: `execute` would parse each again per call,
  /// which cost a validation as much as one of its lookups.
  private enum Control {
    static let begin = SQL("BEGIN")
    static let beginImmediate = SQL("BEGIN IMMEDIATE")
    static let commit = SQL("COMMIT")
    static let rollback = SQL("ROLLBACK")
    static let savepoint = SQL("SAVEPOINT grouped")
    static let release = SQL("RELEASE grouped")
    static let rollbackToSavepoint = SQL("ROLLBACK TO grouped")
  }
}

/// A connection that one thread at a time may use. SQLite connections opened with
/// `SQLITE_OPEN_NOMUTEX` must never be entered by two threads at once; this lock is what
/// makes the store `Sendable`.
private final class Guarded: @unchecked Sendable {
  private let connection: SQLiteConnection
  private let lock = NSLock()

  init(_ connection: SQLiteConnection) { self.connection = connection }

  func withConnection<T>(_ body: (SQLiteConnection) throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body(connection)
  }

  /// Runs `body` only if no other thread is using the connection; nil otherwise.
  func withConnectionIfFree<T>(_ body: (SQLiteConnection) throws -> T) rethrows -> T? {
    guard lock.try() else { return nil }
    defer { lock.unlock() }
    return try body(connection)
  }
}
