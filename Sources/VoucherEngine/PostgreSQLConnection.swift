import CPostgreSQL
import Foundation

/// A failure reported by PostgreSQL (or by libpq about the connection), with its SQLSTATE.
public struct PostgreSQLError: Error, CustomStringConvertible, Sendable {
  /// The five-character SQLSTATE ("23505" unique violation); empty when the server sent none
  /// (the connection broke).
  public let sqlState: String
  /// PostgreSQL's or libpq's own message.
  public let message: String

  public var description: String {
    sqlState.isEmpty ? "PostgreSQL: \(message)" : "PostgreSQL error \(sqlState): \(message)"
  }

  /// Class 23: UNIQUE, CHECK, FOREIGN KEY, NOT NULL and the triggers' refusals raised as one.
  public var isConstraint: Bool { sqlState.hasPrefix("23") }
  /// Serialisation failure or deadlock: the transaction may simply be run again.
  var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }
  /// A lock wait ran past `lock_timeout`: another server holds the write lock too long.
  var isLockTimeout: Bool { sqlState == "55P03" }

  /// libpq's text as one line: its messages run over several ("…failed: No such file or
  /// directory\n\tIs the server running…?"), which a one-line report would show with its
  /// control characters made visible (`\t`), and a log would split.
  static func oneLine(_ text: UnsafePointer<CChar>) -> String {
    String(cString: text).split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      .joined(separator: " ")
  }
}

/// One libpq connection with its prepared statements.
///
/// Not thread-safe by itself: `PostgreSQLStore` hands each connection to one thread at a time.
final class PostgreSQLConnection {
  private let handle: OpaquePointer
  /// Prepared statement names by SQL text (`s1`, `s2`, …), per connection as the server
  /// keeps them.
  private var statements: [SQL: String] = [:]
  /// Writes held back to travel with the next statement (see `runWithNext`), in order.
  private var heldBack: [(sql: SQL, values: [SQLValue])] = []
  /// The statements made of held ones (`carrying`), by the statements they are made of.
  private var carried: [[SQL]: (counts: [Int], sql: SQL)] = [:]

  /// Connects with a libpq connection string or `postgresql://` URL and applies the session
  /// settings every transaction relies on.
  init(conninfo: String) throws {
    try Self.loadLibrary()
    guard let connection = cpq_connectdb(conninfo) else {
      throw PostgreSQLError(sqlState: "", message: "out of memory")
    }
    guard cpq_status(connection) == CPQ_CONNECTION_OK else {
      let message = PostgreSQLError.oneLine(cpq_error_message(connection))
      cpq_finish(connection)
      throw PostgreSQLError(sqlState: "", message: message)
    }
    handle = connection
    cpq_silence_notices(connection)
    // synchronous_commit=on: acknowledged means the commit record is flushed (whatever the
    // cluster's default). lock_timeout: a server stopped while holding the write lock makes
    // the others answer "busy" instead of hanging; idle_in_transaction_session_timeout ends
    // such a stopped server's transaction, so the lock comes free. force_generic_plan: every
    // statement is prepared once per connection and its parameters are keys, never a
    // reason for another plan; left to choose, the server planned the join of a
    // validation's customer and vouchers anew at each execution, most of its time.
    try execute(
      """
      SET synchronous_commit = on; SET lock_timeout = '10s';
      SET idle_in_transaction_session_timeout = '30s'; SET client_min_messages = warning;
      SET TIME ZONE 'UTC'; SET plan_cache_mode = force_generic_plan
      """)
  }

  deinit { cpq_finish(handle) }

  /// libpq is loaded on the first connection (see CPostgreSQL.h); a machine without it gets
  /// a sentence naming the package instead of a program that cannot start at all.
  private static func loadLibrary() throws {
    var reason = [CChar](repeating: 0, count: 512)
    guard cpq_load(&reason, reason.count) == 0 else { return }
    throw PostgreSQLError(
      sqlState: "",
      message: String(decoding: reason.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self))
  }

  /// False once the server has gone (restarted, killed, network): the connection is dropped.
  var isBroken: Bool { cpq_status(handle) != CPQ_CONNECTION_OK }

  /// Whether a transaction is open (also one that failed and awaits its ROLLBACK).
  var inTransaction: Bool {
    let status = cpq_transaction_status_of(handle)
    return status == CPQ_TRANS_INTRANS || status == CPQ_TRANS_INERROR
  }

  /// Runs one or more statements without parameters (schema, settings, transactions).
  func execute(_ sql: String) throws {
    try runHeldBack()
    let result = cpq_exec(handle, sql)
    defer { cpq_clear(result) }
    try check(result, sql: sql)
  }

  /// Runs a statement that returns no rows; the number of rows it changed.
  @discardableResult
  func run(_ sql: SQL, _ values: [SQLValue] = []) throws -> Int {
    let result = try query(sql, values)
    defer { cpq_clear(result) }
    return Int(String(cString: cpq_cmd_tuples(result))) ?? 0
  }

  @discardableResult
  func run(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
    try run(SQL(sql), values)
  }

  /// Runs a statement and maps its first row, if any.
  func first<T>(_ sql: SQL, _ values: [SQLValue] = [], _ map: (PostgreSQLRow) throws -> T) throws
    -> T?
  {
    let result = try query(sql, values)
    defer { cpq_clear(result) }
    guard cpq_ntuples(result) > 0 else { return nil }
    return try map(PostgreSQLRow(result: result, index: 0))
  }

  func first<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (PostgreSQLRow) throws -> T)
    throws -> T?
  {
    try first(SQL(sql), values, map)
  }

  /// Runs a statement and calls `body` for each row of its result.
  func each(_ sql: SQL, _ values: [SQLValue], _ body: (PostgreSQLRow) throws -> Void) throws {
    let result = try query(sql, values)
    defer { cpq_clear(result) }
    for index in 0..<cpq_ntuples(result) {
      try body(PostgreSQLRow(result: result, index: index))
    }
  }

  func each(_ sql: String, _ values: [SQLValue], _ body: (PostgreSQLRow) throws -> Void) throws {
    try each(SQL(sql), values, body)
  }

  /// Like `each`, for results of any size: read through a cursor a page at a time, so an
  /// export of a million vouchers never holds them all in memory. Inside a transaction.
  func eachInPages(_ sql: String, _ values: [SQLValue], _ body: (PostgreSQLRow) throws -> Void)
    throws
  {
    // A cursor lives in a transaction; reads run without one (see `PostgreSQLStore.read`).
    let ownTransaction = !inTransaction
    if ownTransaction { try execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") }
    defer { if ownTransaction { try? execute("COMMIT") } }
    try run(SQL("DECLARE paged NO SCROLL CURSOR FOR " + sql), values)
    defer { try? execute("CLOSE paged") }
    while true {
      var count = 0
      try each(Self.fetchPage, []) {
        count += 1
        try body($0)
      }
      if count < Self.pageSize { return }
    }
  }

  private static let pageSize = 2000
  private static let fetchPage = SQL("FETCH \(pageSize) FROM paged")

  /// Loads rows with `COPY … FROM STDIN` (text format): `produce` calls its argument once per
  /// row. Many times faster than an INSERT per row for the move from SQLite.
  func copyIn(_ sql: String, _ produce: (([SQLValue]) throws -> Void) throws -> Void) throws {
    try runHeldBack()
    let start = cpq_exec(handle, sql)
    let status = cpq_result_status(start)
    cpq_clear(start)
    guard status == CPQ_COPY_IN else {
      throw PostgreSQLError(sqlState: "", message: "\(lastMessage) in: \(sql)")
    }
    var buffer: [UInt8] = []
    buffer.reserveCapacity(1 << 16)
    func flush() throws {
      let sent = buffer.withUnsafeBufferPointer { bytes in
        bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
          cpq_put_copy_data(handle, $0, Int32(bytes.count))
        }
      }
      guard sent == 1 else { throw PostgreSQLError(sqlState: "", message: lastMessage) }
      buffer.removeAll(keepingCapacity: true)
    }
    var failure: (any Error)?
    do {
      try produce { values in
        for (index, value) in values.enumerated() {
          if index > 0 { buffer.append(9) }
          switch value {
          case .null: buffer.append(contentsOf: Array(#"\N"#.utf8))
          case .integer(let number): buffer.append(contentsOf: Array(String(number).utf8))
          case .boolean(let flag): buffer.append(flag ? 116 : 102)
          case .text(let text): Self.appendCopyText(text, to: &buffer)
          }
        }
        buffer.append(10)
        if buffer.count >= 1 << 16 { try flush() }
      }
      if !buffer.isEmpty { try flush() }
    } catch {
      failure = error
    }
    cpq_put_copy_end(handle, failure == nil ? nil : "the copy was abandoned")
    var endError: (any Error)?
    while let result = cpq_get_result(handle) {
      if cpq_result_status(result) != CPQ_COMMAND_OK, endError == nil {
        let state = cpq_sqlstate(result).map { String(cString: $0) } ?? ""
        endError = PostgreSQLError(
          sqlState: state,
          message: PostgreSQLError.oneLine(cpq_result_error_message(result)))
      }
      cpq_clear(result)
    }
    if let failure { throw failure }
    if let endError { throw endError }
  }

  /// COPY's text escapes: backslash, tab, newline and carriage return.
  private static func appendCopyText(_ text: String, to buffer: inout [UInt8]) {
    for byte in text.utf8 {
      switch byte {
      case 92: buffer.append(contentsOf: [92, 92])
      case 9: buffer.append(contentsOf: [92, 116])
      case 10: buffer.append(contentsOf: [92, 110])
      case 13: buffer.append(contentsOf: [92, 114])
      default: buffer.append(byte)
      }
    }
  }

  /// Holds a write that nothing later in the transaction reads (an event, a redemption's
  /// row, a voucher's use) back until the transaction's next statement. Held writes run
  /// together as one statement, each a data-modifying CTE (which PostgreSQL always runs to
  /// completion, its constraints and triggers included): before any other statement, or
  /// with the COMMIT in one round trip (`commit()`). A redemption's writes thus cost one
  /// round trip with its COMMIT instead of one each.
  ///
  /// The statements of one round trip share a snapshot: a held write must not touch a row
  /// another one held with it touches (PostgreSQL would apply only one of the two).
  func runWithNext(_ sql: SQL, _ values: [SQLValue]) {
    heldBack.append((sql, values))
  }

  /// Commits, with what was held back sent in the same round trip (libpq's pipeline mode):
  /// if a held write fails, the COMMIT after it does not run, and the transaction is rolled
  /// back when the connection is given back.
  func commit() throws {
    guard let last = heldBack.popLast() else {
      try run(Self.commitStatement)
      return
    }
    let carried = carrying(last.sql, last.values)
    let result = try pipelined([carried, (Self.commitStatement, [])])
    cpq_clear(result)
  }

  private static let commitStatement = SQL("COMMIT")

  /// `sql` with the held statements before it as CTEs, and their parameters after its own;
  /// nothing is held afterwards.
  private func carrying(_ sql: SQL, _ values: [SQLValue]) -> (sql: SQL, values: [SQLValue]) {
    guard !heldBack.isEmpty else { return (sql, values) }
    let statements = [sql] + heldBack.map(\.sql)
    let counts = [values.count] + heldBack.map(\.values.count)
    let all = values + heldBack.flatMap(\.values)
    // The text made for one sequence of statements (with as many values each) serves again:
    // a redemption's is not renumbered and hashed each time.
    let known = carried[statements].flatMap { $0.counts == counts ? $0.sql : nil }
    let merged =
      known
      ?? {
        var count = values.count
        var parts: [String] = []
        for (index, held) in heldBack.enumerated() {
          parts.append("held\(index + 1) AS (\(Self.renumbered(held.sql.text, after: count)))")
          count += held.values.count
        }
        let made = SQL("WITH " + parts.joined(separator: ", ") + " " + sql.text)
        carried[statements] = (counts, made)
        return made
      }()
    heldBack.removeAll()
    return (merged, all)
  }

  /// Drops what was held back: the transaction is being rolled back.
  func discardHeldBack() { heldBack.removeAll() }

  /// Runs what was held back, if anything, as one statement.
  func runHeldBack() throws {
    guard let last = heldBack.popLast() else { return }
    let carried = carrying(last.sql, last.values)
    try run(carried.sql, carried.values)
  }

  /// `sql` with its parameters `$1…$n` numbered from `offset + 1`.
  private static func renumbered(_ sql: String, after offset: Int) -> String {
    var text = ""
    var digits = ""
    var inParameter = false
    for character in sql {
      if inParameter, character.isASCII, character.isNumber {
        digits.append(character)
        continue
      }
      if inParameter {
        text += digits.isEmpty ? "$" : "$\(Int(digits)! + offset)"
        digits = ""
        inParameter = false
      }
      if character == "$" {
        inParameter = true
      } else {
        text.append(character)
      }
    }
    if inParameter { text += digits.isEmpty ? "$" : "$\(Int(digits)! + offset)" }
    return text
  }

  /// Prepares `sql` once per connection, then executes it with `values` as text parameters.
  private func query(_ sql: SQL, _ values: [SQLValue]) throws -> OpaquePointer {
    try runHeldBack()
    let name = try prepared(sql)
    let result = Self.withParameters(values) { parameters in
      cpq_exec_prepared(handle, name, Int32(values.count), parameters, nil, nil, 0)
    }
    do {
      try check(result, sql: sql.text)
    } catch {
      cpq_clear(result)
      throw error
    }
    return result!
  }

  /// `values` as C strings for libpq, alive for the call (libpq copies them into its buffer).
  private static func withParameters<R>(
    _ values: [SQLValue], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R
  ) -> R {
    let strings: [UnsafeMutablePointer<CChar>?] = values.map { value in
      switch value {
      case .null: nil
      case .integer(let number): strdup(String(number))
      case .boolean(let flag): strdup(flag ? "t" : "f")
      case .text(let text): strdup(text)
      }
    }
    defer { for string in strings { free(string) } }
    return strings.withUnsafeBufferPointer { buffer in
      buffer.baseAddress!.withMemoryRebound(
        to: UnsafePointer<CChar>?.self, capacity: max(buffer.count, 1), body)
    }
  }

  /// Runs the `preludes` (BEGIN, locks) and then `sql`, all in one round
  /// trip (libpq's pipeline mode: the server still runs them one after the other, each
  /// with its own snapshot), and calls `body` for each row of `sql`'s result.
  ///
  /// - Throws: the first statement's error; the ones after it did not run.
  func each(
    after preludes: [(SQL, [SQLValue])], _ sql: SQL, _ values: [SQLValue],
    _ body: (PostgreSQLRow) throws -> Void
  ) throws {
    guard !preludes.isEmpty else { return try each(sql, values, body) }
    try runHeldBack()
    let last = try pipelined(preludes + [(sql, values)])
    defer { cpq_clear(last) }
    for index in 0..<cpq_ntuples(last) {
      try body(PostgreSQLRow(result: last, index: index))
    }
  }

  /// Sends `steps` in one round trip (libpq's pipeline mode: the server still runs them one
  /// after the other) and returns the last one's result, to be cleared by the caller.
  ///
  /// - Throws: the first failed step's error; the steps after it did not run.
  private func pipelined(_ steps: [(SQL, [SQLValue])]) throws -> OpaquePointer {
    let names = try steps.map { try prepared($0.0) }
    guard cpq_enter_pipeline_mode(handle) == 1 else {
      throw PostgreSQLError(sqlState: "", message: lastMessage)
    }
    var sent = true
    for (index, step) in steps.enumerated() where sent {
      sent =
        Self.withParameters(step.1) { parameters in
          cpq_send_query_prepared(
            handle, names[index], Int32(step.1.count), parameters, nil, nil, 0)
        } == 1
    }
    if sent { sent = cpq_pipeline_sync(handle) == 1 }
    guard sent else {
      let message = lastMessage
      while let result = cpq_get_result(handle) { cpq_clear(result) }
      _ = cpq_exit_pipeline_mode(handle)
      throw PostgreSQLError(sqlState: "", message: message)
    }
    // Each statement's result, then the NULL that ends it; then the sync's own result.
    var failure: (any Error)?
    var last: OpaquePointer?
    for (index, step) in steps.enumerated() {
      guard let result = cpq_get_result(handle) else {
        failure = failure ?? PostgreSQLError(sqlState: "", message: lastMessage)
        break
      }
      while let extra = cpq_get_result(handle) { cpq_clear(extra) }
      if failure == nil {
        do { try check(result, sql: step.0.text) } catch { failure = error }
      }
      if index == steps.count - 1, failure == nil { last = result } else { cpq_clear(result) }
    }
    while let result = cpq_get_result(handle) {
      let status = cpq_result_status(result)
      cpq_clear(result)
      if status == CPQ_PIPELINE_SYNC { break }
    }
    _ = cpq_exit_pipeline_mode(handle)
    guard let last, failure == nil else {
      if let last { cpq_clear(last) }
      throw failure ?? PostgreSQLError(sqlState: "", message: lastMessage)
    }
    return last
  }

  private func prepared(_ sql: SQL) throws -> String {
    if let name = statements[sql] { return name }
    let name = "s\(statements.count + 1)"
    let result = cpq_prepare(handle, name, sql.text, 0, nil)
    defer { cpq_clear(result) }
    try check(result, sql: sql.text)
    statements[sql] = name
    return name
  }

  private func check(_ result: OpaquePointer?, sql: String) throws {
    guard let result else {
      throw PostgreSQLError(sqlState: "", message: lastMessage)
    }
    switch cpq_result_status(result) {
    case CPQ_COMMAND_OK, CPQ_TUPLES_OK: return
    default:
      let state = cpq_sqlstate(result).map { String(cString: $0) } ?? ""
      let message = PostgreSQLError.oneLine(cpq_result_error_message(result))
      throw PostgreSQLError(
        sqlState: state, message: message.isEmpty ? lastMessage : message)
    }
  }

  private var lastMessage: String { PostgreSQLError.oneLine(cpq_error_message(handle)) }
}

/// One row of a result; valid while its result is (inside the row callback).
struct PostgreSQLRow: StoreRow {
  fileprivate let result: OpaquePointer
  fileprivate let index: Int32
  /// Added to every column number: a row that joins tables is read a table at a time.
  fileprivate var offset: Int32 = 0

  /// The same row with column 0 at `columns` (another table's columns in a join).
  func shifted(by columns: Int32) -> PostgreSQLRow {
    var row = self
    row.offset += columns
    return row
  }

  func optionalText(_ column: Int32) -> String? {
    let column = column + offset
    if cpq_get_is_null(result, index, column) != 0 { return nil }
    let bytes = cpq_get_value(result, index, column)!
    let count = Int(cpq_get_length(result, index, column))
    return bytes.withMemoryRebound(to: UInt8.self, capacity: count) {
      String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
    }
  }

  func text(_ column: Int32) -> String { optionalText(column) ?? "" }

  func optionalInt(_ column: Int32) -> Int64? {
    let column = column + offset
    if cpq_get_is_null(result, index, column) != 0 { return nil }
    return Int64(String(cString: cpq_get_value(result, index, column)))
  }

  func int(_ column: Int32) -> Int64 { optionalInt(column) ?? 0 }

  /// A boolean column (`t`/`f` in text form).
  func bool(_ column: Int32) -> Bool { text(column) == "t" }
}
