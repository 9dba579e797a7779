import Foundation

/// `StoreTransaction` over one PostgreSQL connection inside an open transaction.
///
/// Each table's columns and their mapping to the model and to a statement's values are
/// `StoreRows`', shared with `SQLiteTransaction`; the SQL around them is PostgreSQL's own,
/// and so are the read-ahead (`Prefetched`) and the writes held back to travel with the
/// next statement (`PostgreSQLConnection.runWithNext`), which save round trips SQLite
/// does not make.
struct PostgreSQLTransaction: SQLTransaction {
  let connection: PostgreSQLConnection

  static let dialect = SQLDialect.postgreSQL

  func count(_ sql: String, _ values: [SQLValue]) throws -> Int {
    try connection.first(sql, values) { Int($0.int(0)) } ?? 0
  }

  func execute(_ sql: SQL, _ values: [SQLValue]) throws { try connection.run(sql, values) }

  func first<T>(_ sql: SQL, _ values: [SQLValue], _ map: (PostgreSQLRow) throws -> T) throws
    -> T?
  {
    try connection.first(sql, values, map)
  }

  func each(_ sql: SQL, _ values: [SQLValue], _ body: (PostgreSQLRow) throws -> Void) throws {
    try connection.each(sql, values, body)
  }
  /// What was read ahead of being asked for (see `Prefetched`).
  private let prefetched = Prefetched()

  /// Rows read together in one statement, to answer the rules' next questions without a
  /// round trip each: the rules ask for a voucher's holds right after the voucher, and a
  /// validation or redemption asks for its customer and vouchers one by one (`prefetch`).
  /// Each entry stands until this transaction writes that kind of row.
  private final class Prefetched {
    /// Session holds by voucher id.
    var holds: [String: [SessionLock]] = [:]
    /// Live vouchers by normalised code; nil: no live voucher has the code.
    var vouchers: [String: Voucher?] = [:]
    /// Live customers by source id; nil: none has it.
    var customers: [String: Customer?] = [:]
    /// (voucher id, order source id) pairs known to have no redemption.
    var unredeemed: Set<[String]> = []
    /// Voucher rows this transaction holds locked (`lockForRedemption`): nobody else
    /// changes them until it ends.
    var locked: Set<String> = []
    /// Locked vouchers whose use is held back to travel with the next statement.
    var useHeld: Set<String> = []
    /// Idempotency records by key; nil: the key has none.
    var idempotency: [String: (fingerprint: String, resultId: String)?] = [:]
    /// Whether the fence closed each attempt key.
    var closed: [String: Bool] = [:]
  }

  /// The holds of a voucher (`alias.id`) as one JSON array of [key, credits, expires, created].
  private static func holdsColumn(of alias: String) -> String {
    """
    (SELECT json_agg(json_build_array(h.session_key, h.gift_credits::text, h.expires_at::text,
                                      h.created_at::text))
     FROM session_locks h WHERE h.voucher_id = \(alias).id)
    """
  }

  /// A customer by source id and vouchers by code, in one statement: a row per voucher
  /// found (the customer's columns on each), or one row without a voucher.
  private static let prefetchStatement = SQL(
    """
    SELECT \(customerAndVoucherColumns)
    FROM (SELECT 1) AS one
      LEFT JOIN customers c ON c.deleted_at IS NULL AND c.source_id = $1
      LEFT JOIN vouchers v ON v.deleted_at IS NULL AND v.code = ANY($2::text[])
    """)

  /// A customer's columns (`c`), then a voucher's (`v`) with its holds: the read-ahead's
  /// rows, read a table at a time (`PostgreSQLRow.shifted(by:)`).
  private static let customerAndVoucherColumns = [
    StoreRows.qualified(StoreRows.customerColumns, "c"),
    StoreRows.qualified(StoreRows.voucherColumns, "v"), holdsColumn(of: "v"),
  ].joined(separator: ", ")
  private static let customerColumnCount = StoreRows.customerColumnCount
  private static let voucherColumnCount = StoreRows.voucherColumnCount

  func prefetch(customer reference: String?, codes: [String]) throws {
    let sourceId = Self.prefetchedSourceId(reference)
    let known =
      (sourceId.map { prefetched.customers[$0] != nil } ?? true)
      && codes.allSatisfy { prefetched.vouchers[$0] != nil }
    guard !known else { return }
    try readAhead(Self.prefetchStatement, sourceId: sourceId, codes: codes, extra: [])
  }

  /// Only a source id is read ahead (tills send those); an id or an email is read when
  /// asked, so the order in which a reference is resolved stays the rules' own.
  private static func prefetchedSourceId(_ reference: String?) -> String? {
    guard let text = reference?.trimmingSpaces(), !text.isEmpty,
      !text.hasPrefix(Customer.idPrefix)
    else { return nil }
    return text
  }

  /// A redemption's locks (`PostgreSQLStore.writeLocking`): its keys' advisory locks, then
  /// its live voucher rows, each set in sorted order, the rows read in the same statement
  /// as its customer by source id, the vouchers' holds, and its key's idempotency record and
  /// fence.
  ///
  /// What the statement read is what the rules need, as it stands from then on: the
  /// voucher rows are locked (a row it waited for is read as its last holder committed
  /// it), and customers change, and holds appear, only in writes that take the store's
  /// write lock exclusively, which this transaction holds shared. A hold may have gone
  /// while the statement waited for a row (a redemption of the same session), so holds are
  /// kept only where there were none; others are read again when asked for.
  ///
  /// The key's record and fence are read as they stand too: the statement's snapshot is
  /// taken after the key's lock (a statement of its own before it), so every redemption
  /// under the key has committed or not begun; and the fence closes attempts only under
  /// the write lock held exclusively.
  ///
  /// It also asks whether each voucher has a redemption under `order`. Only a redemption of
  /// a voucher writes that voucher's row in the same transaction, and holds its lock; so
  /// when the row locked is the very version this statement's snapshot sees (the same
  /// `xmin`: nobody changed it since), "none" is the truth; after a wait for the row it may
  /// not be, and is asked again when needed.
  ///
  /// - Parameter preludes: statements to run first in the same round trip (the BEGIN and
  ///   the shared write lock, which must be held before this statement's snapshot is taken).
  func lockForRedemption(
    customer reference: String?, codes: [String], keys: [String], order: String?,
    after preludes: [SQL]
  ) throws {
    var steps = preludes.map { ($0, [SQLValue]()) }
    if !keys.isEmpty {
      steps.append((Self.keyLocks, [.text(PostgreSQLStore.arrayLiteral(keys))]))
    }
    // One key (a till's attempt) is read ahead; more than one are read when asked for.
    let key = keys.count == 1 ? keys[0] : nil
    try readAhead(
      Self.lockStatement, sourceId: Self.prefetchedSourceId(reference), codes: codes,
      extra: [.from(key), .from(order)], after: steps, holdsOnlyIfNone: true, order: order,
      key: key)
  }

  /// The keys' advisory locks in sorted order (a lock space of their own: one bigint, not
  /// the write lock's two integers).
  private static let keyLocks = SQL(
    """
    SELECT count(pg_advisory_xact_lock(hashtextextended(current_schema() || chr(31) || k, 0)))
    FROM (SELECT DISTINCT k FROM unnest($1::text[]) AS k ORDER BY k) AS sorted
    """)

  /// The voucher rows, locked in sorted order, with what `lockForRedemption` reads.
  private static let lockStatement = SQL(
    """
    SELECT \(customerAndVoucherColumns),
      EXISTS (SELECT 1 FROM redemptions r WHERE r.voucher_id = v.id AND r.order_source_id = $4),
      (SELECT s.xmin FROM vouchers s WHERE s.id = v.id) = v.row_version,
      i.fingerprint, i.result_id, EXISTS (SELECT 1 FROM closed_attempts a WHERE a.key = $3)
    FROM (SELECT 1) AS one
      LEFT JOIN customers c ON c.deleted_at IS NULL AND c.source_id = $1
      LEFT JOIN idempotency_keys i ON i.key = $3
      LEFT JOIN LATERAL (
        SELECT *, xmin AS row_version FROM vouchers
        WHERE code = ANY($2::text[]) AND deleted_at IS NULL
        ORDER BY id FOR UPDATE) AS v ON true
    """)

  /// Runs a statement of `prefetchStatement`'s shape ($1 the source id, $2 the codes) and
  /// keeps what it read.
  private func readAhead(
    _ sql: SQL, sourceId: String?, codes: [String], extra: [SQLValue],
    after preludes: [(SQL, [SQLValue])] = [], holdsOnlyIfNone: Bool = false,
    order: String? = nil, key: String? = nil
  ) throws {
    var customer: Customer?
    var vouchers: [String: Voucher] = [:]
    var first = true
    try connection.each(
      after: preludes, sql, [.from(sourceId), .text(PostgreSQLStore.arrayLiteral(codes))] + extra
    ) { row in
      if customer == nil, row.optionalText(0) != nil {
        customer = try StoreRows.customer(from: row)
      }
      let voucherRow = row.shifted(by: Self.customerColumnCount)
      // The lock statement's key columns, the same on every row.
      if first, let key {
        let record = voucherRow.optionalText(Self.voucherColumnCount + 3).map {
          (fingerprint: $0, resultId: voucherRow.text(Self.voucherColumnCount + 4))
        }
        prefetched.idempotency[key] = .some(record)
        prefetched.closed[key] = voucherRow.bool(Self.voucherColumnCount + 5)
      }
      first = false
      if voucherRow.optionalText(0) != nil {
        let voucher = try voucherNotingHolds(from: voucherRow, onlyIfNone: holdsOnlyIfNone)
        vouchers[voucher.code] = voucher
        if holdsOnlyIfNone { prefetched.locked.insert(voucher.id) }
        // The lock statement's two last columns: redeemed under `order`, row unchanged.
        if let order, !voucherRow.bool(Self.voucherColumnCount + 1),
          voucherRow.bool(Self.voucherColumnCount + 2)
        {
          prefetched.unredeemed.insert([voucher.id, order])
        }
      }
    }
    if let sourceId { prefetched.customers[sourceId] = .some(customer) }
    for code in codes { prefetched.vouchers[code] = .some(vouchers[code]) }
  }

  /// `$1, $2, …, $count`.
  static func placeholders(_ count: Int, from first: Int = 1) -> String {
    dialect.parameters(count, from: first)
  }

  /// `$1, $2, …`: a parameter for each of `columns`.
  static func placeholders(for columns: String) -> String { dialect.parameters(for: columns) }

  /// The error a conflicting insert reports without aborting the transaction (inserts the
  /// rules recover from use ON CONFLICT DO NOTHING, as a failed statement in PostgreSQL
  /// would otherwise fail the whole transaction, unlike in SQLite).
  static func conflict(_ what: String) -> PostgreSQLError {
    PostgreSQLError(sqlState: "23505", message: "\(what) is taken")
  }

  // MARK: Customers

  private static let customerBySourceId = SQL(
    StoreRows.selectLiveCustomers + "source_id = $1")
  private static let insertCustomer = SQL(
    """
    INSERT INTO customers (\(StoreRows.customerWriteColumns))
    VALUES (\(placeholders(for: StoreRows.customerWriteColumns))) ON CONFLICT DO NOTHING
    """)
  private static let updateCustomer = SQL(
    """
    UPDATE customers SET \(dialect.assignments(StoreRows.customerWriteColumns))
    WHERE id = $1
    """)
  private static let insertWord = SQL(
    "INSERT INTO customer_words (word, customer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")

  func customer(sourceId: String) throws -> Customer? {
    if let known = prefetched.customers[sourceId] { return known }
    return try connection.first(
      Self.customerBySourceId, [.text(sourceId)], StoreRows.customer(from:))
  }

  func customers(memberNumber: String, limit: Int) throws -> [Customer] {
    // Case-insensitive, as SQLite's NOCASE column.
    try customers(
      where: "lower(member_number) = lower($1) LIMIT $2",
      [.text(memberNumber), .integer(Int64(limit))])
  }

  func customers(nameWordPrefix wordPrefix: String, limit: Int) throws -> [Customer] {
    // A range scan on the primary key: every word >= prefix and < prefix + U+10FFFF.
    try customers(
      where: """
        id IN (SELECT DISTINCT customer_id FROM customer_words
               WHERE word >= $1 COLLATE "C" AND word < ($1 || chr(1114111)) COLLATE "C"
               LIMIT $2)
        ORDER BY lower(name), id
        """,
      [.text(wordPrefix), .integer(Int64(limit))])
  }

  func deleteCustomer(id: String, at date: Date) throws {
    prefetched.customers.removeAll()
    try connection.run(
      """
      UPDATE customers SET deleted_at = $1, updated_at = $1, source_id = NULL, email = NULL,
        email_fold = NULL, phone = NULL, member_number = NULL, name = NULL, metadata = '{}',
        description = NULL, address = NULL, birthdate = NULL, birthday = NULL
      WHERE id = $2
      """, [.from(date), .text(id)])
    try connection.run("DELETE FROM customer_words WHERE customer_id = $1", [.text(id)])
  }

  func insert(_ customer: Customer) throws {
    prefetched.customers.removeAll()
    guard try connection.run(Self.insertCustomer, StoreRows.customerValues(customer)) == 1 else {
      throw Self.conflict("the customer's id, source id or email")
    }
    try indexWords(of: customer)
  }

  func update(_ customer: Customer) throws {
    prefetched.customers.removeAll()
    try connection.run(Self.updateCustomer, StoreRows.customerValues(customer))
    try connection.run("DELETE FROM customer_words WHERE customer_id = $1", [.text(customer.id)])
    try indexWords(of: customer)
  }

  private func indexWords(of customer: Customer) throws {
    for word in Set(ContactText.words(of: customer.name ?? "")) {
      try connection.run(Self.insertWord, [.text(word), .text(customer.id)])
    }
  }

  // MARK: Vouchers

  private static let selectVoucherWithHolds =
    "SELECT \(StoreRows.voucherColumns), \(holdsColumn(of: "vouchers")) FROM vouchers WHERE "
  private static let voucherByCode = SQL(
    selectVoucherWithHolds + "code = $1 AND deleted_at IS NULL")
  private static let voucherById = SQL(selectVoucherWithHolds + "id = $1 AND deleted_at IS NULL")
  private static let insertVoucher = SQL(
    """
    INSERT INTO vouchers (\(StoreRows.voucherColumns))
    VALUES (\(placeholders(for: StoreRows.voucherColumns))) ON CONFLICT DO NOTHING
    """)
  private static let updateVoucher = SQL(
    """
    UPDATE vouchers SET \(dialect.assignments(StoreRows.voucherColumns))
    WHERE id = $1
    """)

  func voucher(code: String) throws -> Voucher? {
    if let known = prefetched.vouchers[code] { return known }
    return try connection.first(Self.voucherByCode, [.text(code)]) {
      try voucherNotingHolds(from: $0)
    }
  }

  func voucher(id: String) throws -> Voucher? {
    try connection.first(Self.voucherById, [.text(id)]) { try voucherNotingHolds(from: $0) }
  }

  /// A voucher from a `selectVoucherWithHolds` row; its holds go to `prefetched` (with
  /// `onlyIfNone`, only when it has none).
  private func voucherNotingHolds(from row: PostgreSQLRow, onlyIfNone: Bool = false) throws
    -> Voucher
  {
    let voucher = try StoreRows.voucher(from: row)
    var holds: [SessionLock] = []
    if let text = row.optionalText(StoreRows.voucherColumnCount) {
      guard case .array(let entries) = try JSONValue.parse(text) else {
        throw StoreError.corrupt("the holds of voucher \(voucher.code) are not a list")
      }
      for entry in entries {
        guard case .array(let fields) = entry, fields.count == 4,
          case .string(let key) = fields[0], case .string(let credits) = fields[1],
          case .string(let expires) = fields[2], case .string(let created) = fields[3],
          let giftCredits = Int64(credits), let expiresAt = Int64(expires),
          let createdAt = Int64(created)
        else { throw StoreError.corrupt("a hold of voucher \(voucher.code) is malformed") }
        holds.append(
          SessionLock(
            voucherId: voucher.id, key: key, giftCredits: giftCredits,
            expiresAt: Date(millisecondsSince1970: expiresAt),
            createdAt: Date(millisecondsSince1970: createdAt)))
      }
    }
    if !onlyIfNone || holds.isEmpty { prefetched.holds[voucher.id] = holds }
    return voucher
  }

  func insert(_ voucher: Voucher) throws {
    prefetched.vouchers.removeAll()
    guard try connection.run(Self.insertVoucher, StoreRows.voucherValues(voucher)) == 1 else {
      throw Self.conflict("the voucher code \(voucher.code)")
    }
  }

  func update(_ voucher: Voucher) throws {
    prefetched.vouchers.removeAll()
    try connection.run(Self.updateVoucher, StoreRows.voucherValues(voucher))
  }

  func markDeleted(voucherId: String, at date: Date) throws {
    prefetched.vouchers.removeAll()
    try connection.run(
      "UPDATE vouchers SET deleted_at = $1, updated_at = $1 WHERE id = $2",
      [.from(date), .text(voucherId)])
  }

  private static let consumeUse = SQL(
    """
    UPDATE vouchers SET redeemed_quantity = redeemed_quantity + 1,
      gift_balance = CASE WHEN gift_balance IS NULL THEN NULL ELSE gift_balance - $1 END,
      updated_at = $2
    WHERE id = $3 AND (quantity IS NULL OR redeemed_quantity < quantity)
      AND (gift_balance IS NULL OR gift_balance >= $1)
    """)
  private static let restoreUse = SQL(
    """
    UPDATE vouchers SET redeemed_quantity = redeemed_quantity - 1,
      gift_balance = CASE WHEN gift_balance IS NULL THEN NULL ELSE gift_balance + $1 END,
      reactivation_count = reactivation_count + $4, updated_at = $2
    WHERE id = $3
    """)

  /// A use of a voucher whose row this transaction locked, unguarded: the rules just read
  /// that row as it stands, so a use they allowed is there, and the table's CHECKs
  /// (`redeemed_quantity <= quantity`, `gift_balance >= 0`) refuse the statement, and so
  /// the commit, if it is not. It travels with the redemption's row and the COMMIT.
  private static let consumeLockedUse = SQL(
    """
    UPDATE vouchers SET redeemed_quantity = redeemed_quantity + 1,
      gift_balance = CASE WHEN gift_balance IS NULL THEN NULL ELSE gift_balance - $1 END,
      updated_at = $2
    WHERE id = $3
    """)

  func consumeUse(voucherId: String, giftCredits: Int64, at date: Date) throws -> Bool {
    prefetched.vouchers.removeAll()
    let values: [SQLValue] = [.integer(giftCredits), .from(date), .text(voucherId)]
    guard prefetched.locked.contains(voucherId) else {
      return try connection.run(Self.consumeUse, values) == 1
    }
    // One statement may change a row only once: a second use of the same voucher waits
    // for the first to be sent.
    if prefetched.useHeld.contains(voucherId) {
      try connection.runHeldBack()
      prefetched.useHeld.removeAll()
    }
    connection.runWithNext(Self.consumeLockedUse, values)
    prefetched.useHeld.insert(voucherId)
    return true
  }

  func restoreUse(
    voucherId: String, giftCredits: Int64, countingReactivation: Bool, at date: Date
  ) throws {
    prefetched.vouchers.removeAll()
    try connection.run(
      Self.restoreUse,
      [
        .integer(giftCredits), .from(date), .text(voucherId),
        .integer(countingReactivation ? 1 : 0),
      ])
  }

  // MARK: Redemptions

  /// A redemption with its children, as one INSERT of a row each (the children after their
  /// parent, so `seq` keeps their order), held back to travel with the next statement:
  /// what the rules read after it (a replay, a count of uses) runs it first.
  func insert(_ redemption: Redemption) throws {
    prefetched.unredeemed.removeAll()
    var rows = [redemption]
    var next = 0
    while next < rows.count {
      rows += rows[next].children
      next += 1
    }
    connection.runWithNext(
      Self.insertRedemptions(rows.count), rows.flatMap(StoreRows.redemptionValues))
  }

  private static func insertRedemptions(_ count: Int) -> SQL {
    let width = StoreRows.redemptionColumnCount
    let rows = (0..<count).map { "(\(placeholders(width, from: 1 + width * $0)))" }
    return SQL(
      """
      INSERT INTO redemptions (\(StoreRows.redemptionColumns))
      VALUES \(rows.joined(separator: ", "))
      """)
  }

  func redemption(voucherId: String, orderSourceId: String) throws -> Redemption? {
    if prefetched.unredeemed.contains([voucherId, orderSourceId]) { return nil }
    return try storedRedemption(voucherId: voucherId, orderSourceId: orderSourceId)
  }

  func rollbacks(voucherId: String) throws -> [Rollback] {
    var found: [Rollback] = []
    try connection.each(
      """
      SELECT \(StoreRows.rollbackColumns) FROM rollbacks WHERE voucher_id = $1
      ORDER BY date, id
      """,
      [.text(voucherId)]
    ) { found.append(StoreRows.rollback(from: $0)) }
    return found
  }

  // MARK: Validation sessions

  private static let sessionLocksOfVoucher = SQL(
    "SELECT \(StoreRows.sessionLockColumns) FROM session_locks WHERE voucher_id = $1")

  func sessionLocks(voucherId: String) throws -> [SessionLock] {
    if let holds = prefetched.holds[voucherId] { return holds }
    var found: [SessionLock] = []
    try connection.each(Self.sessionLocksOfVoucher, [.text(voucherId)]) {
      found.append(StoreRows.sessionLock(from: $0, voucherId: voucherId))
    }
    return found
  }

  func putSessionLock(_ lock: SessionLock) throws {
    prefetched.holds[lock.voucherId] = nil
    try connection.run(
      """
      INSERT INTO session_locks (\(StoreRows.sessionLockWriteColumns))
      VALUES (\(Self.placeholders(for: StoreRows.sessionLockWriteColumns)))
      ON CONFLICT (voucher_id, session_key) DO UPDATE SET gift_credits = excluded.gift_credits,
        expires_at = excluded.expires_at, created_at = excluded.created_at
      """, StoreRows.sessionLockValues(lock))
  }

  func deleteSessionLock(voucherId: String, key: String) throws -> Bool {
    prefetched.holds[voucherId] = nil
    return try connection.run(
      "DELETE FROM session_locks WHERE voucher_id = $1 AND session_key = $2",
      [.text(voucherId), .text(key)]) > 0
  }

  func deleteSessionLocks(voucherId: String, expiredBy date: Date) throws {
    prefetched.holds[voucherId] = nil
    try connection.run(
      "DELETE FROM session_locks WHERE voucher_id = $1 AND expires_at <= $2",
      [.text(voucherId), .from(date)])
  }

  // MARK: Idempotency, the fence and events

  private static let idempotencyRecord = SQL(
    "SELECT fingerprint, result_id FROM idempotency_keys WHERE key = $1")
  private static let saveIdempotencyRecord = SQL(
    "INSERT INTO idempotency_keys (key, fingerprint, result_id, created_at) VALUES ($1, $2, $3, $4)"
  )
  private static let isAttemptClosed = SQL("SELECT 1 FROM closed_attempts WHERE key = $1")
  private static let closeAttempt = SQL(
    "INSERT INTO closed_attempts (key, closed_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
  private static let appendEvent = SQL(
    """
    INSERT INTO events (\(StoreRows.eventWriteColumns))
    VALUES (\(placeholders(for: StoreRows.eventWriteColumns)))
    """)

  func idempotencyRecord(key: String) throws -> (fingerprint: String, resultId: String)? {
    if let known = prefetched.idempotency[key] { return known }
    return try connection.first(Self.idempotencyRecord, [.text(key)]) { ($0.text(0), $0.text(1)) }
  }

  func saveIdempotencyRecord(key: String, fingerprint: String, resultId: String, at date: Date)
    throws
  {
    // Nothing reads it back in the transaction that wrote it; its trigger (the fence) runs
    // when it is sent, with the COMMIT, and a refusal there stops the COMMIT.
    prefetched.idempotency[key] = nil
    connection.runWithNext(
      Self.saveIdempotencyRecord, [.text(key), .text(fingerprint), .text(resultId), .from(date)])
  }

  func isAttemptClosed(key: String) throws -> Bool {
    if let known = prefetched.closed[key] { return known }
    return try connection.first(Self.isAttemptClosed, [.text(key)]) { _ in true } ?? false
  }

  func closeAttempt(key: String, at date: Date) throws {
    prefetched.closed[key] = nil
    try connection.run(Self.closeAttempt, [.text(key), .from(date)])
  }

  func appendEvent(date: Date, actor: String?, kind: String, subject: String, detail: String)
    throws
  {
    // Nothing reads an event in the transaction that wrote it: it travels with the next
    // statement (a redemption's row), one round trip fewer per redemption.
    connection.runWithNext(
      Self.appendEvent,
      StoreRows.eventValues(date: date, actor: actor, kind: kind, subject: subject, detail: detail))
  }

  // MARK: Issuance and export

  func eachIssued(batch: String, _ body: (IssuedRow) throws -> Void) throws {
    try connection.eachInPages(
      """
      SELECT \(StoreRows.issuedColumns) FROM issued_vouchers i
        JOIN customers c ON c.id = i.customer_id JOIN vouchers v ON v.id = i.voucher_id
      WHERE i.batch = $1 ORDER BY i.line
      """, [.text(batch)]
    ) { try body(StoreRows.issuedRow(from: $0)) }
  }

  func eachExportRow(createdSince: Date?, _ body: (ExportRow) throws -> Void) throws {
    try connection.eachInPages(
      """
      SELECT \(StoreRows.qualified(StoreRows.voucherColumns, "v")), c.source_id, c.email, c.member_number, u.used_date
      FROM vouchers v LEFT JOIN customers c ON c.id = v.holder_id
        LEFT JOIN LATERAL (SELECT max(r.date) AS used_date FROM redemptions r
                           WHERE r.voucher_id = v.id AND r.status = 'SUCCEEDED') u ON true
      WHERE v.deleted_at IS NULL
        AND ($1::bigint IS NULL OR v.created_at >= $1::bigint OR u.used_date >= $1::bigint)
      ORDER BY v.seq
      """, [.from(createdSince)]
    ) { try body(StoreRows.exportRow(from: $0)) }
  }

  func isEmpty() throws -> Bool {
    try connection.first(
      "SELECT NOT EXISTS (SELECT 1 FROM customers) AND NOT EXISTS (SELECT 1 FROM vouchers)"
    ) { $0.bool(0) } ?? true
  }

}
