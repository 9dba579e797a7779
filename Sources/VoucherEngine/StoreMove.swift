import Foundation

/// Moves a store from a SQLite file to PostgreSQL: every table copied row for row in one
/// PostgreSQL transaction (all of it or nothing), then counted and summed on both sides.
public enum StoreMove {
  /// One table's figures on both sides after the copy.
  public struct TableCheck: Sendable, Equatable {
    public let table: String
    /// Row count, then the sums of the table's amount and counter columns.
    public let source: [Int64]
    public let target: [Int64]
    public var matches: Bool { source == target }
  }

  /// Failures of a move (beyond the stores' own).
  public enum MoveError: Error, Equatable, CustomStringConvertible {
    /// The target already holds data and the move was not asked to replace it.
    case targetNotEmpty(rows: Int64)
    /// Counts or sums differ after the copy (the transaction was rolled back).
    case checkFailed([String])

    public var description: String {
      switch self {
      case .targetNotEmpty(let rows):
        "the target database already holds \(rows) rows; add --force to replace them"
      case .checkFailed(let tables):
        "counts or sums differ after the copy (\(tables.joined(separator: ", "))); nothing was kept"
      }
    }
  }

  /// A table to copy: its columns (those both layouts share, in the order given) and the
  /// columns summed by the check. Parents before children (foreign keys).
  struct Table {
    let name: String
    let columns: [String]
    let sums: [String]
    let order: String
  }

  static let tables: [Table] = [
    Table(
      name: "customers",
      columns: [
        "id", "source_id", "name", "email", "email_fold", "phone", "member_number", "metadata",
        "created_at", "updated_at", "description", "address", "birthdate", "birthday",
        "deleted_at",
      ], sums: ["created_at", "updated_at", "deleted_at"], order: "rowid"),
    Table(
      name: "customer_words", columns: ["word", "customer_id"], sums: [],
      order: "word, customer_id"),
    Table(
      name: "vouchers",
      columns: [
        "id", "code", "campaign", "type", "discount_type", "percent_off_bp", "amount_limit",
        "amount_off", "fixed_amount", "gift_amount", "gift_balance", "currency", "holder_id",
        "start_date", "expiration_date", "active", "quantity", "redeemed_quantity",
        "per_customer", "min_order_amount", "applicable_to", "inapplicable_to",
        "reactivation_limit", "reactivation_count", "metadata", "created_at", "updated_at",
        "deleted_at", "validity", "aggregated_amount_limit", "category", "category_id",
        "campaign_id", "additional_info",
      ],
      sums: [
        "percent_off_bp", "amount_off", "fixed_amount", "gift_amount", "gift_balance",
        "quantity", "redeemed_quantity", "reactivation_count", "created_at",
      ], order: "rowid"),
    Table(
      name: "redemptions",
      columns: [
        "id", "parent_id", "voucher_id", "voucher_code", "customer_id", "order_id",
        "order_source_id", "order_amount", "order_discount", "order_gift", "order_total",
        "items", "amount", "gift_balance_after", "status", "terminal", "cashier", "date",
        "rollback_id",
      ], sums: ["order_amount", "order_discount", "order_gift", "order_total", "amount", "date"],
      order: "rowid"),
    Table(
      name: "rollbacks",
      columns: [
        "id", "redemption_id", "voucher_id", "voucher_code", "amount", "reason", "by_name",
        "date", "reactivations_left",
      ], sums: ["amount", "reactivations_left"], order: "rowid"),
    Table(
      name: "idempotency_keys", columns: ["key", "fingerprint", "result_id", "created_at"],
      sums: ["created_at"], order: "rowid"),
    Table(
      name: "closed_attempts", columns: ["key", "closed_at"], sums: ["closed_at"], order: "key"),
    Table(
      name: "events", columns: ["seq", "at", "actor", "kind", "subject", "detail"],
      sums: ["seq", "at"], order: "seq"),
    Table(
      name: "issuance_batches", columns: ["name", "fingerprint", "created_at"],
      sums: ["created_at"], order: "rowid"),
    Table(
      name: "issued_vouchers", columns: ["batch", "customer_id", "voucher_id", "line"],
      sums: ["line"], order: "batch, line"),
    Table(
      name: "session_locks",
      columns: ["voucher_id", "session_key", "gift_credits", "expires_at", "created_at"],
      sums: ["gift_credits", "expires_at"], order: "voucher_id, session_key"),
    Table(
      name: "api_keys",
      columns: ["app_id", "name", "role", "salt", "token_hash", "created_at", "revoked_at"],
      sums: ["created_at"], order: "rowid"),
    Table(
      name: "staff",
      columns: [
        "name", "role", "salt", "pin_hash", "created_at", "revoked_at", "failed_attempts",
        "locked_until",
      ],
      sums: ["created_at", "failed_attempts"], order: "rowid"),
  ]

  /// Copies the SQLite database at `source` into the PostgreSQL database at `target`.
  ///
  /// - Parameters:
  ///   - replace: erase a target that holds data instead of refusing it.
  ///   - progress: called now and then with the table being copied, its rows copied so far,
  ///     and its row count.
  /// - Returns: each table's counts and sums on both sides (all equal).
  /// - Throws: `MoveError`, or `StoreError` when either database cannot be opened.
  public static func copy(
    fromSQLite source: String, to target: String, replace: Bool,
    progress: (String, Int, Int) -> Void = { _, _, _ in }
  ) throws -> [TableCheck] {
    guard FileManager.default.fileExists(atPath: source) else {
      throw StoreError.cannotOpen(path: source, detail: "no such file")
    }
    // Opening brings the file up to this release's layout (what the copy reads).
    _ = try SQLiteStore(path: source, readerCount: 0)
    let reader = try SQLiteConnection(path: source, readOnly: true)
    let store = try PostgreSQLStore(url: target)
    let held = try store.withWriteConnection { connection in
      try tables.reduce(Int64(0)) { total, table in
        total + (try connection.first("SELECT count(*) FROM \(table.name)") { $0.int(0) } ?? 0)
      }
    }
    if held > 0 {
      guard replace else { throw MoveError.targetNotEmpty(rows: held) }
      try store.erase()
    }

    // One read transaction on the file: a consistent snapshot even if a till writes to it.
    try reader.execute("BEGIN")
    defer { try? reader.execute("ROLLBACK") }
    return try store.withWriteConnection { connection in
      for table in tables {
        let total = Int(try reader.first("SELECT count(*) FROM \(table.name)") { $0.int(0) } ?? 0)
        let columns = table.columns.joined(separator: ", ")
        var copied = 0
        progress(table.name, 0, total)
        try connection.copyIn("COPY \(table.name) (\(columns)) FROM STDIN") { send in
          let copy: (SQLiteRow) throws -> Void = { row in
            try send((0..<row.count).map { row.value($0) })
            copied += 1
            if copied % 5000 == 0 { progress(table.name, copied, total) }
          }
          try reader.each(
            "SELECT \(columns) FROM \(table.name) ORDER BY \(table.order)", [], copy)
        }
        progress(table.name, copied, total)
      }
      // Events keep their numbers; new ones continue after the last.
      try connection.execute(
        "SELECT setval(pg_get_serial_sequence('events', 'seq'), coalesce((SELECT max(seq) FROM events), 0) + 1, false)"
      )
      var checks: [TableCheck] = []
      for table in tables {
        let figures =
          (["count(*)"] + table.sums.map { "coalesce(sum(\($0)), 0)" }).joined(separator: ", ")
        let sql = "SELECT \(figures) FROM \(table.name)"
        let width = Int32(table.sums.count + 1)
        let source = try reader.first(sql) { row in (0..<width).map { row.int($0) } } ?? []
        let copied = try connection.first(sql) { row in (0..<width).map { row.int($0) } } ?? []
        checks.append(TableCheck(table: table.name, source: source, target: copied))
      }
      let failed = checks.filter { !$0.matches }.map(\.table)
      // Thrown inside the transaction: a copy that does not add up is rolled back.
      guard failed.isEmpty else { throw MoveError.checkFailed(failed) }
      return checks
    }
  }
}
