import Foundation

/// `StoreTransaction` over one SQLite connection inside an open transaction.
///
/// Each table's columns and their mapping to the model and to a statement's values are
/// `StoreRows`', shared with `PostgreSQLTransaction`; the SQL around them is SQLite's own.
/// Statements whose values a row mapping gives number their parameters (`?1`, `?2`, …),
/// so an UPDATE takes the INSERT's values as they are, key first.
struct SQLiteTransaction: SQLTransaction {
  let connection: SQLiteConnection

  static let dialect = SQLDialect.sqlite

  /// `?1, ?2, …`: a parameter for each of `columns`.
  static func parameters(for columns: String) -> String { dialect.parameters(for: columns) }

  func count(_ sql: String, _ values: [SQLValue]) throws -> Int {
    try connection.first(sql, values) { Int($0.int(0)) } ?? 0
  }

  func execute(_ sql: SQL, _ values: [SQLValue]) throws { try connection.run(sql, values) }

  func first<T>(_ sql: SQL, _ values: [SQLValue], _ map: (SQLiteRow) throws -> T) throws -> T? {
    try connection.first(sql, values, map)
  }

  func each(_ sql: SQL, _ values: [SQLValue], _ body: (SQLiteRow) throws -> Void) throws {
    try connection.each(sql, values, body)
  }

  // MARK: Customers

  // Full statements built once: they are the statement cache's keys, and the hot ones run
  // for every row of a bulk issuance.
  private static let customerBySourceId = SQL(StoreRows.selectLiveCustomers + "source_id = ?")
  private static let insertCustomer = SQL(
    """
    INSERT INTO customers (\(StoreRows.customerWriteColumns))
    VALUES (\(parameters(for: StoreRows.customerWriteColumns)))
    """)
  private static let updateCustomer = SQL(
    """
    UPDATE customers SET \(dialect.assignments(StoreRows.customerWriteColumns))
    WHERE id = ?1
    """)
  private static let voucherByCode = SQL(
    StoreRows.selectVouchers + "code = ? AND deleted_at IS NULL")
  private static let voucherById = SQL(StoreRows.selectVouchers + "id = ? AND deleted_at IS NULL")
  private static let insertVoucher = SQL(
    """
    INSERT INTO vouchers (\(StoreRows.voucherColumns))
    VALUES (\(parameters(for: StoreRows.voucherColumns)))
    """)
  private static let updateVoucher = SQL(
    """
    UPDATE vouchers SET \(dialect.assignments(StoreRows.voucherColumns))
    WHERE id = ?1
    """)

  func customer(sourceId: String) throws -> Customer? {
    try connection.first(Self.customerBySourceId, [.text(sourceId)], StoreRows.customer(from:))
  }

  func customers(memberNumber: String, limit: Int) throws -> [Customer] {
    try customers(
      where: "member_number = ? LIMIT ?", [.text(memberNumber), .integer(Int64(limit))])
  }

  func customers(nameWordPrefix wordPrefix: String, limit: Int) throws -> [Customer] {
    // A range scan on the primary key: every word >= prefix and < prefix + U+10FFFF.
    try customers(
      where: """
        id IN (SELECT DISTINCT customer_id FROM customer_words
               WHERE word >= ?1 AND word < ?1 || char(1114111) LIMIT ?2)
        ORDER BY name COLLATE NOCASE, id
        """,
      [.text(wordPrefix), .integer(Int64(limit))])
  }

  func deleteCustomer(id: String, at date: Date) throws {
    let oldPhone: String? =
      try connection.first("SELECT phone FROM customers WHERE id = ?", [.text(id)]) {
        $0.optionalText(0)
      } ?? nil
    if let oldPhone { try unindexPhoneDigits(of: oldPhone, customerId: id) }
    try connection.run(
      """
      UPDATE customers SET deleted_at = ?1, updated_at = ?1, source_id = NULL, email = NULL,
        email_fold = NULL, phone = NULL, member_number = NULL, name = NULL, metadata = '{}',
        description = NULL, address = NULL, birthdate = NULL, birthday = NULL
      WHERE id = ?2
      """, [.from(date), .text(id)])
    try connection.run("DELETE FROM customer_words WHERE customer_id = ?", [.text(id)])
  }

  func insert(_ customer: Customer) throws {
    try connection.run(Self.insertCustomer, StoreRows.customerValues(customer))
    try indexWords(of: customer)
    try indexPhoneDigits(of: customer.phone, customerId: customer.id)
  }

  func update(_ customer: Customer) throws {
    // The phone's digit rows are replaced only when the phone changes: most updates keep it.
    let oldPhone: String? =
      try connection.first("SELECT phone FROM customers WHERE id = ?", [.text(customer.id)]) {
        $0.optionalText(0)
      } ?? nil
    try connection.run(Self.updateCustomer, StoreRows.customerValues(customer))
    try connection.run("DELETE FROM customer_words WHERE customer_id = ?", [.text(customer.id)])
    try indexWords(of: customer)
    if let oldPhone, oldPhone != customer.phone {
      try unindexPhoneDigits(of: oldPhone, customerId: customer.id)
    }
    if oldPhone != customer.phone {
      try indexPhoneDigits(of: customer.phone, customerId: customer.id)
    }
  }

  private func indexWords(of customer: Customer) throws {
    // In the index's (byte) order, each with what it shares with the one before (see
    // migration 10): the count of a prefix search needs no DISTINCT.
    let words = Set(ContactText.words(of: customer.name ?? "")).sorted {
      $0.utf8.lexicographicallyPrecedes($1.utf8)
    }
    var previous: [Unicode.Scalar] = []
    for word in words {
      let scalars = Array(word.unicodeScalars)
      let shared = zip(previous, scalars).prefix { $0 == $1 }.count
      try connection.run(
        "INSERT OR IGNORE INTO customer_words (word, customer_id, shared) VALUES (?, ?, ?)",
        [.text(word), .text(customer.id), .integer(Int64(shared))])
      previous = scalars
    }
  }

  // MARK: Vouchers

  func voucher(code: String) throws -> Voucher? {
    try connection.first(Self.voucherByCode, [.text(code)], StoreRows.voucher(from:))
  }

  func voucher(id: String) throws -> Voucher? {
    try connection.first(Self.voucherById, [.text(id)], StoreRows.voucher(from:))
  }

  func insert(_ voucher: Voucher) throws {
    try connection.run(Self.insertVoucher, StoreRows.voucherValues(voucher))
  }

  func update(_ voucher: Voucher) throws {
    try connection.run(Self.updateVoucher, StoreRows.voucherValues(voucher))
  }

  func markDeleted(voucherId: String, at date: Date) throws {
    try connection.run(
      "UPDATE vouchers SET deleted_at = ?, updated_at = ? WHERE id = ?",
      [.from(date), .from(date), .text(voucherId)])
  }

  private static let consumeUse = SQL(
    """
    UPDATE vouchers SET redeemed_quantity = redeemed_quantity + 1,
      gift_balance = CASE WHEN gift_balance IS NULL THEN NULL ELSE gift_balance - ?1 END,
      updated_at = ?2
    WHERE id = ?3 AND (quantity IS NULL OR redeemed_quantity < quantity)
      AND (gift_balance IS NULL OR gift_balance >= ?1)
    """)

  func consumeUse(voucherId: String, giftCredits: Int64, at date: Date) throws -> Bool {
    try connection.run(Self.consumeUse, [.integer(giftCredits), .from(date), .text(voucherId)])
    return connection.changes == 1
  }

  func restoreUse(
    voucherId: String, giftCredits: Int64, countingReactivation: Bool, at date: Date
  ) throws {
    try connection.run(
      """
      UPDATE vouchers SET redeemed_quantity = redeemed_quantity - 1,
        gift_balance = CASE WHEN gift_balance IS NULL THEN NULL ELSE gift_balance + ?1 END,
        reactivation_count = reactivation_count + ?4, updated_at = ?2
      WHERE id = ?3
      """,
      [
        .integer(giftCredits), .from(date), .text(voucherId),
        .integer(countingReactivation ? 1 : 0),
      ])
  }

  // MARK: Redemptions

  private static let insertRedemption = SQL(
    """
    INSERT INTO redemptions (\(StoreRows.redemptionColumns))
    VALUES (\(parameters(for: StoreRows.redemptionColumns)))
    """)
  /// A statement a row, the children after their parent: here a statement costs no round
  /// trip (PostgreSQL sends them all as one INSERT, held back to travel with the next).
  func insert(_ redemption: Redemption) throws {
    try connection.run(Self.insertRedemption, StoreRows.redemptionValues(redemption))
    for child in redemption.children { try insert(child) }
  }

  func redemption(voucherId: String, orderSourceId: String) throws -> Redemption? {
    try storedRedemption(voucherId: voucherId, orderSourceId: orderSourceId)
  }

  func rollbacks(voucherId: String) throws -> [Rollback] {
    var found: [Rollback] = []
    try connection.each(
      """
      SELECT \(StoreRows.rollbackColumns) FROM rollbacks WHERE voucher_id = ?
      ORDER BY date, rowid
      """,
      [.text(voucherId)]
    ) { found.append(StoreRows.rollback(from: $0)) }
    return found
  }

  // MARK: Idempotency and events

  private static let idempotencyRecord = SQL(
    "SELECT fingerprint, result_id FROM idempotency_keys WHERE key = ?")
  private static let saveIdempotencyRecord = SQL(
    "INSERT INTO idempotency_keys (key, fingerprint, result_id, created_at) VALUES (?, ?, ?, ?)")

  func idempotencyRecord(key: String) throws -> (fingerprint: String, resultId: String)? {
    try connection.first(Self.idempotencyRecord, [.text(key)]) { ($0.text(0), $0.text(1)) }
  }

  func saveIdempotencyRecord(key: String, fingerprint: String, resultId: String, at date: Date)
    throws
  {
    try connection.run(
      Self.saveIdempotencyRecord, [.text(key), .text(fingerprint), .text(resultId), .from(date)])
  }

  private static let isAttemptClosed = SQL("SELECT 1 FROM closed_attempts WHERE key = ?")
  private static let closeAttempt = SQL(
    "INSERT OR IGNORE INTO closed_attempts (key, closed_at) VALUES (?, ?)")

  func isAttemptClosed(key: String) throws -> Bool {
    try connection.first(Self.isAttemptClosed, [.text(key)]) { _ in true } ?? false
  }

  func closeAttempt(key: String, at date: Date) throws {
    try connection.run(Self.closeAttempt, [.text(key), .from(date)])
  }

  private static let appendEvent = SQL(
    """
    INSERT INTO events (\(StoreRows.eventWriteColumns))
    VALUES (\(parameters(for: StoreRows.eventWriteColumns)))
    """)

  func appendEvent(date: Date, actor: String?, kind: String, subject: String, detail: String)
    throws
  {
    try connection.run(
      Self.appendEvent,
      StoreRows.eventValues(date: date, actor: actor, kind: kind, subject: subject, detail: detail))
  }

  // MARK: Issuance and export

  func eachIssued(batch: String, _ body: (IssuedRow) throws -> Void) throws {
    try connection.each(
      """
      SELECT \(StoreRows.issuedColumns) FROM issued_vouchers i
        JOIN customers c ON c.id = i.customer_id JOIN vouchers v ON v.id = i.voucher_id
      WHERE i.batch = ? ORDER BY i.line
      """, [.text(batch)]
    ) { try body(StoreRows.issuedRow(from: $0)) }
  }

  func eachExportRow(createdSince: Date?, _ body: (ExportRow) throws -> Void) throws {
    try connection.each(
      """
      SELECT \(StoreRows.qualified(StoreRows.voucherColumns, "v")),
        c.source_id, c.email, c.member_number,
        (SELECT max(r.date) FROM redemptions r
           WHERE r.voucher_id = v.id AND r.status = 'SUCCEEDED') AS used_date
      FROM vouchers v LEFT JOIN customers c ON c.id = v.holder_id
      WHERE v.deleted_at IS NULL AND (?1 IS NULL OR v.created_at >= ?1 OR used_date >= ?1)
      ORDER BY v.rowid
      """, [.from(createdSince)]
    ) { try body(StoreRows.exportRow(from: $0)) }
  }

  // MARK: Validation sessions

  func sessionLocks(voucherId: String) throws -> [SessionLock] {
    var found: [SessionLock] = []
    try connection.each(Self.sessionLocksOfVoucher, [.text(voucherId)]) {
      found.append(StoreRows.sessionLock(from: $0, voucherId: voucherId))
    }
    return found
  }

  private static let sessionLocksOfVoucher = SQL(
    "SELECT \(StoreRows.sessionLockColumns) FROM session_locks WHERE voucher_id = ?")

  func putSessionLock(_ lock: SessionLock) throws {
    try connection.run(
      """
      INSERT OR REPLACE INTO session_locks (\(StoreRows.sessionLockWriteColumns))
      VALUES (\(Self.parameters(for: StoreRows.sessionLockWriteColumns)))
      """, StoreRows.sessionLockValues(lock))
  }

  func deleteSessionLock(voucherId: String, key: String) throws -> Bool {
    try connection.run(
      "DELETE FROM session_locks WHERE voucher_id = ? AND session_key = ?",
      [.text(voucherId), .text(key)])
    return connection.changes > 0
  }

  func deleteSessionLocks(voucherId: String, expiredBy date: Date) throws {
    try connection.run(
      "DELETE FROM session_locks WHERE voucher_id = ? AND expires_at <= ?",
      [.text(voucherId), .from(date)])
  }

  func isEmpty() throws -> Bool {
    try connection.first(
      "SELECT NOT EXISTS (SELECT 1 FROM customers) AND NOT EXISTS (SELECT 1 FROM vouchers)"
    ) { $0.int(0) != 0 } ?? true
  }

}

/// Small JSON columns (metadata, product lists, cart lines).
enum JSONText {
  static func encode<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Encoding plain strings, maps and integers cannot fail.
    return String(decoding: try! encoder.encode(value), as: UTF8.self)
  }

  /// String lists and maps by hand: they are written for every voucher and customer, and
  /// JSONEncoder would dominate a bulk issuance.
  static func encode(_ list: [String]) -> String {
    if list.isEmpty { return "[]" }
    return "[" + list.map(quoted).joined(separator: ",") + "]"
  }

  static func encode(_ map: [String: String]) -> String {
    if map.isEmpty { return "{}" }
    return "{"
      + map.sorted { $0.key < $1.key }.map { quoted($0.key) + ":" + quoted($0.value) }
      .joined(separator: ",") + "}"
  }

  /// The same text as `encode(_:)` of a dictionary with these pairs, without building one:
  /// every redemption writes such an event detail.
  static func encode(pairs: KeyValuePairs<String, String>) -> String {
    var out = "{"
    out.reserveCapacity(128)
    for (index, pair) in pairs.sorted(by: { $0.key < $1.key }).enumerated() {
      if index > 0 { out += "," }
      appendQuoted(pair.key, to: &out)
      out += ":"
      appendQuoted(pair.value, to: &out)
    }
    return out + "}"
  }

  /// Cart lines as `JSONEncoder` with sorted keys writes them (and `JSONDecoder` reads them
  /// back): by hand, as it ran for every redemption and cost more than its SQL.
  static func encode(items: [CartItem]) -> String {
    var out = "["
    out.reserveCapacity(items.count * 48)
    for (index, item) in items.enumerated() {
      if index > 0 { out += "," }
      out += #"{"price":"#
      out += String(item.price)
      out += #","quantity":"#
      out += String(item.quantity)
      out += #","sku":"#
      appendQuoted(item.sku, to: &out)
      out += "}"
    }
    return out + "]"
  }

  static func quoted(_ text: String) -> String {
    var out = ""
    appendQuoted(text, to: &out)
    return out
  }

  /// `quoted(text)` written onto the end of `out`, without a string of its own in between.
  static func appendQuoted(_ text: String, to out: inout String) {
    // Most texts need no escape at all: then one copy, not an append per scalar (this ran
    // for every key and value of every event detail).
    let needsEscape =
      text.utf8.withContiguousStorageIfAvailable { bytes in
        bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
      } ?? true
    if !needsEscape {
      out += "\""
      out += text
      out += "\""
      return
    }
    out += "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }

  /// Read with `JSONValue` and `JSONValueDecoder`: `JSONDecoder` cost about 60,000
  /// instructions per validation over HTTP for a customer's and a voucher's metadata. What
  /// they refuse (they are stricter) is given to `JSONDecoder` before calling it corrupt.
  static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
    if let document = try? JSONValue.parse(text),
      let value = try? JSONValueDecoder().decode(type, from: document)
    {
      return value
    }
    do {
      return try JSONDecoder().decode(type, from: Data(text.utf8))
    } catch {
      throw StoreError.corrupt("unreadable JSON column: \(text.prefix(40))")
    }
  }

  /// Metadata maps and product lists are read straight off the parsed tree: through
  /// `Decodable` they were half of a validation's engine time.
  static func decodeMap(_ text: String) throws -> [String: String] {
    if text == "{}" { return [:] }
    if case .object(let members)? = try? JSONValue.parse(text) {
      // (No reserveCapacity: metadata has a member or two, and reserving cost more than
      // the growth it saves.)
      var map: [String: String] = [:]
      for (key, value) in members {
        guard case .string(let string) = value else { break }
        map[key] = string
      }
      if map.count == members.count { return map }
    }
    return try decode([String: String].self, from: text)
  }

  static func decodeList(_ text: String) throws -> [String] {
    if text == "[]" { return [] }
    if case .array(let elements)? = try? JSONValue.parse(text) {
      let strings = elements.compactMap { element -> String? in
        if case .string(let string) = element { return string } else { return nil }
      }
      if strings.count == elements.count { return strings }
    }
    return try decode([String].self, from: text)
  }
}
