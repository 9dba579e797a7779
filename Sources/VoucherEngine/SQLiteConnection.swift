import CSQLite
import Foundation

/// A failure reported by SQLite, with the statement that caused it.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
  /// The primary SQLite result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …).
  public let code: Int32
  /// SQLite's own message.
  public let message: String

  public var description: String { "SQLite error \(code): \(message)" }

  /// True when another connection held the write lock longer than the busy timeout.
  public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
  /// True for UNIQUE, CHECK, FOREIGN KEY and NOT NULL violations.
  public var isConstraint: Bool { code == SQLITE_CONSTRAINT }
}

/// A value bound to a statement parameter.
enum SQLValue: Sendable, Equatable {
  case null
  case integer(Int64)
  case text(String)
  /// A flag, kept in each store's own type: SQLite binds 1 or 0, PostgreSQL `t` or `f`
  /// (its column is a boolean).
  case boolean(Bool)
}

/// SQL text with its hash worked out once: the key of the statement cache.
///
/// Hashing the text of a 27-column SELECT on every call cost more than the rest of the cache
/// lookup; the hot statements are `static let` values of this type, so their hash is
/// computed once per process (and equal texts compare by identity first).
struct SQL: Hashable, Sendable {
  let text: String
  private let hash: Int

  init(_ text: String) {
    self.text = text
    hash = text.hashValue
  }

  static func == (left: SQL, right: SQL) -> Bool {
    left.hash == right.hash && left.text == right.text
  }

  func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}

/// One SQLite connection with a cache of prepared statements.
///
/// Not thread-safe by itself: `SQLiteStore` hands each connection to one thread at a time.
final class SQLiteConnection {
  private let handle: OpaquePointer
  private var statements: [SQL: OpaquePointer] = [:]

  init(path: String, readOnly: Bool = false) throws {
    _ = Self.processSettings
    var db: OpaquePointer?
    let flags =
      (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
      | SQLITE_OPEN_NOMUTEX
    let rc = sqlite3_open_v2(path, &db, flags, nil)
    guard rc == SQLITE_OK, let db else {
      let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
      if let db { sqlite3_close_v2(db) }
      throw SQLiteError(code: rc, message: "\(message) (\(path))")
    }
    handle = db
    sqlite3_extended_result_codes(db, 0)
    // Other terminals and processes may hold the write lock briefly; wait rather than fail.
    sqlite3_busy_timeout(db, 10_000)
  }

  /// Process-wide SQLite settings, applied once before the first connection opens.
  private static let processSettings: Void = { _ = csq_disable_memory_statistics() }()

  deinit {
    for statement in statements.values { sqlite3_finalize(statement) }
    sqlite3_close_v2(handle)
  }

  /// Runs one or more statements without parameters (schema, pragmas, transactions).
  func execute(_ sql: String) throws {
    var errorMessage: UnsafeMutablePointer<CChar>?
    let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
    if rc != SQLITE_OK {
      let message = errorMessage.map { String(cString: $0) } ?? lastMessage
      sqlite3_free(errorMessage)
      throw SQLiteError(code: rc & 0xFF, message: message)
    }
  }

  /// Runs a statement that returns no rows (INSERT, UPDATE, DELETE).
  func run(_ sql: String, _ values: [SQLValue] = []) throws {
    try each(SQL(sql), values) { _ in }
  }

  /// Runs a cached statement that returns no rows: also `BEGIN`, `COMMIT` and savepoints,
  /// which `execute` would parse again on every call.
  func run(_ sql: SQL, _ values: [SQLValue] = []) throws {
    try each(sql, values) { _ in }
  }

  /// Runs a statement and maps its first row, if any. (A `SQLiteRow` is only valid while its
  /// statement is stepping, so it is read inside `map`.)
  func first<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (SQLiteRow) throws -> T) throws
    -> T?
  {
    try first(SQL(sql), values, map)
  }

  /// Like `first(_:_:_:)` for a statement whose `SQL` is kept, and it stops stepping after
  /// the first row.
  func first<T>(_ sql: SQL, _ values: [SQLValue] = [], _ map: (SQLiteRow) throws -> T) throws -> T?
  {
    let statement = try prepared(sql)
    defer { sqlite3_reset(statement) }
    try bind(values, to: statement)
    let rc = sqlite3_step(statement)
    if rc == SQLITE_ROW { return try map(SQLiteRow(statement: statement)) }
    if rc == SQLITE_DONE { return nil }
    throw SQLiteError(code: rc & 0xFF, message: lastMessage)
  }

  /// Runs a statement, calling `body` for each row as it is stepped (nothing is buffered).
  func each(_ sql: String, _ values: [SQLValue], _ body: (SQLiteRow) throws -> Void) throws {
    try each(SQL(sql), values, body)
  }

  /// Like `each(_:_:_:)` for a statement whose `SQL` is kept.
  func each(_ sql: SQL, _ values: [SQLValue], _ body: (SQLiteRow) throws -> Void) throws {
    let statement = try prepared(sql)
    defer { sqlite3_reset(statement) }
    try bind(values, to: statement)
    while true {
      let rc = sqlite3_step(statement)
      if rc == SQLITE_ROW {
        try body(SQLiteRow(statement: statement))
      } else if rc == SQLITE_DONE {
        return
      } else {
        throw SQLiteError(code: rc & 0xFF, message: lastMessage)
      }
    }
  }

  /// Like `each(_:_:_:)`, stopping as soon as `body` returns false: a page of a long result
  /// reads only the rows it needs.
  func each(_ sql: String, _ values: [SQLValue], while body: (SQLiteRow) throws -> Bool) throws {
    let statement = try prepared(SQL(sql))
    defer { sqlite3_reset(statement) }
    try bind(values, to: statement)
    while true {
      let rc = sqlite3_step(statement)
      if rc == SQLITE_ROW {
        guard try body(SQLiteRow(statement: statement)) else { return }
      } else if rc == SQLITE_DONE {
        return
      } else {
        throw SQLiteError(code: rc & 0xFF, message: lastMessage)
      }
    }
  }

  /// False once a transaction has ended, including one SQLite rolled back by itself.
  var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

  /// Rows changed by the last INSERT, UPDATE or DELETE.
  var changes: Int { Int(sqlite3_changes(handle)) }

  private var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

  private func prepared(_ sql: SQL) throws -> OpaquePointer {
    if let cached = statements[sql] { return cached }
    var statement: OpaquePointer?
    let rc = sqlite3_prepare_v3(
      handle, sql.text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
    guard rc == SQLITE_OK, let statement else {
      throw SQLiteError(code: rc & 0xFF, message: "\(lastMessage) in: \(sql.text)")
    }
    statements[sql] = statement
    return statement
  }

  /// Binds `values` to the parameters in order. Parameters left without a value are NULL,
  /// not what the previous run bound (cleared only then: every hot statement binds all).
  private func bind(_ values: [SQLValue], to statement: OpaquePointer) throws {
    if values.count < Int(sqlite3_bind_parameter_count(statement)) {
      sqlite3_clear_bindings(statement)
    }
    for (offset, value) in values.enumerated() {
      let index = Int32(offset + 1)
      let rc: Int32
      switch value {
      case .null: rc = sqlite3_bind_null(statement, index)
      case .integer(let number): rc = sqlite3_bind_int64(statement, index, number)
      case .boolean(let flag): rc = sqlite3_bind_int64(statement, index, flag ? 1 : 0)
      case .text(let text): rc = sqlite3_bind_text(statement, index, text, -1, csq_transient())
      }
      if rc != SQLITE_OK { throw SQLiteError(code: rc, message: lastMessage) }
    }
  }
}

/// A view of the current row of a stepping statement; valid only inside the row callback.
struct SQLiteRow: StoreRow {
  fileprivate let statement: OpaquePointer

  func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

  func optionalInt(_ column: Int32) -> Int64? {
    sqlite3_column_type(statement, column) == SQLITE_NULL
      ? nil : sqlite3_column_int64(statement, column)
  }

  func text(_ column: Int32) -> String { optionalText(column) ?? "" }

  /// SQLite has no boolean type: a flag is an integer, 0 for false.
  func bool(_ column: Int32) -> Bool { int(column) != 0 }

  /// The column as stored (a copy to another database keeps integers and texts apart).
  func value(_ column: Int32) -> SQLValue {
    switch sqlite3_column_type(statement, column) {
    case SQLITE_NULL: .null
    case SQLITE_INTEGER: .integer(sqlite3_column_int64(statement, column))
    default: .text(text(column))
    }
  }

  /// The number of columns of the result.
  var count: Int32 { sqlite3_column_count(statement) }

  func optionalText(_ column: Int32) -> String? {
    guard let bytes = sqlite3_column_text(statement, column) else { return nil }
    // The length SQLite already knows spares `String(cString:)` its strlen.
    let count = Int(sqlite3_column_bytes(statement, column))
    return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
  }
}

extension SQLValue {
  static func from(_ text: String?) -> SQLValue { text.map { .text($0) } ?? .null }
  static func from(_ number: Int64?) -> SQLValue { number.map { .integer($0) } ?? .null }
  static func from(_ date: Date?) -> SQLValue {
    date.map { .integer($0.millisecondsSince1970) } ?? .null
  }
}

extension Date {
  /// Dates are stored as integer milliseconds since 1970 (UTC).
  var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

  init(millisecondsSince1970 value: Int64) {
    self.init(timeIntervalSince1970: TimeInterval(value) / 1000)
  }
}
