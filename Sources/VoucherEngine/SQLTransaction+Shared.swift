import Foundation

/// One statement for both stores, written once over a dialect (its parameter marks, its
/// insertion order): each store's text is made once, and is then that store's statement
/// cache key like any `static let` of its own.
struct DialectSQL: Sendable {
  private let sqlite: SQL
  private let postgreSQL: SQL

  init(_ text: (SQLDialect) -> String) {
    sqlite = SQL(text(.sqlite))
    postgreSQL = SQL(text(.postgreSQL))
  }

  subscript(_ dialect: SQLDialect) -> SQL {
    switch dialect {
    case .sqlite: sqlite
    case .postgreSQL: postgreSQL
    }
  }
}

/// The statements the two stores run alike: where a store's read or write does something
/// of its own around the SQL (PostgreSQL's read-ahead and held-back writes, SQLite's phone
/// digits), it stays in that store's transaction.
private enum Shared {
  static let customerById = DialectSQL {
    StoreRows.selectLiveCustomers + "id = \($0.parameter(1))"
  }
  static let customerByEmail = DialectSQL {
    StoreRows.selectLiveCustomers + "email_fold = \($0.parameter(1))"
  }
  static let codeExists = DialectSQL { "SELECT 1 FROM vouchers WHERE code = \($0.parameter(1))" }
  static let redemptionById = DialectSQL {
    StoreRows.selectRedemptions + "id = \($0.parameter(1))"
  }
  static let redemptionByVoucherOrder = DialectSQL {
    StoreRows.selectRedemptions
      + "voucher_id = \($0.parameter(1)) AND order_source_id = \($0.parameter(2))"
  }
  static let latestSucceededRedemption = DialectSQL {
    StoreRows.selectRedemptions + """
      voucher_id = \($0.parameter(1)) AND status = 'SUCCEEDED'
      ORDER BY date DESC, \($0.insertionOrder) DESC LIMIT 1
      """
  }
  /// A stacked parent's children, in the order they were inserted (after their parent).
  static let childRedemptions = DialectSQL {
    StoreRows.selectRedemptions
      + "parent_id = \($0.parameter(1)) ORDER BY \($0.insertionOrder)"
  }
  static let succeededRedemptionCount = DialectSQL {
    """
    SELECT count(*) FROM redemptions
    WHERE voucher_id = \($0.parameter(1)) AND customer_id = \($0.parameter(2))
      AND status = 'SUCCEEDED'
    """
  }
  static let markRolledBack = DialectSQL {
    """
    UPDATE redemptions SET status = 'ROLLED_BACK', rollback_id = \($0.parameter(1))
    WHERE id = \($0.parameter(2))
    """
  }
  static let insertRollback = DialectSQL {
    """
    INSERT INTO rollbacks (\(StoreRows.rollbackColumns))
    VALUES (\($0.parameters(for: StoreRows.rollbackColumns)))
    """
  }
  static let rollbackById = DialectSQL {
    "SELECT \(StoreRows.rollbackColumns) FROM rollbacks WHERE id = \($0.parameter(1))"
  }
  static let eventsOfSubject = DialectSQL {
    """
    SELECT \(StoreRows.eventColumns) FROM events WHERE subject = \($0.parameter(1))
    ORDER BY seq DESC LIMIT \($0.parameter(2))
    """
  }
  static let events = DialectSQL {
    "SELECT \(StoreRows.eventColumns) FROM events ORDER BY seq DESC LIMIT \($0.parameter(1))"
  }
  static let issuanceBatch = DialectSQL {
    "SELECT fingerprint FROM issuance_batches WHERE name = \($0.parameter(1))"
  }
  static let createIssuanceBatch = DialectSQL {
    """
    INSERT INTO issuance_batches (name, fingerprint, created_at)
    VALUES (\($0.parameters(3)))
    """
  }
  // The two below run for every row of a bulk issuance.
  static let issuedVoucher = DialectSQL {
    """
    SELECT voucher_id FROM issued_vouchers
    WHERE batch = \($0.parameter(1)) AND customer_id = \($0.parameter(2))
    """
  }
  static let recordIssued = DialectSQL {
    """
    INSERT INTO issued_vouchers (batch, customer_id, voucher_id, line)
    VALUES (\($0.parameters(4)))
    """
  }
  static let counts = DialectSQL { _ in
    """
    SELECT (SELECT count(*) FROM customers WHERE deleted_at IS NULL),
           (SELECT count(*) FROM vouchers WHERE deleted_at IS NULL),
           (SELECT count(*) FROM redemptions)
    """
  }
}

extension StoreRows {
  /// Live customers' columns, the condition to follow: a deleted customer is a tombstone
  /// no lookup finds.
  static let selectLiveCustomers =
    "SELECT \(customerColumns) FROM customers WHERE deleted_at IS NULL AND "
  /// Redemptions' columns, the condition to follow.
  static let selectRedemptions = "SELECT \(redemptionColumns) FROM redemptions WHERE "
  /// Vouchers' columns, the condition to follow.
  static let selectVouchers = "SELECT \(voucherColumns) FROM vouchers WHERE "
}

extension SQLTransaction {
  // MARK: Customers and vouchers

  func customers(where clause: String, _ values: [SQLValue]) throws -> [Customer] {
    var found: [Customer] = []
    try each(SQL(StoreRows.selectLiveCustomers + clause), values) {
      found.append(try StoreRows.customer(from: $0))
    }
    return found
  }

  func customer(id: String) throws -> Customer? {
    try first(Shared.customerById[Self.dialect], [.text(id)]) { try StoreRows.customer(from: $0) }
  }

  func customer(email: String) throws -> Customer? {
    try first(Shared.customerByEmail[Self.dialect], [.text(ContactText.foldEmail(email))]) {
      try StoreRows.customer(from: $0)
    }
  }

  func vouchers(where clause: String, _ values: [SQLValue]) throws -> [Voucher] {
    var found: [Voucher] = []
    try each(SQL(StoreRows.selectVouchers + clause), values) {
      found.append(try StoreRows.voucher(from: $0))
    }
    return found
  }

  func customers(phone: String, limit: Int) throws -> [Customer] {
    let mark = Self.dialect.parameter
    return try customers(
      where: "phone = \(mark(1)) LIMIT \(mark(2))", [.text(phone), .integer(Int64(limit))])
  }

  /// In insertion order, even within one millisecond (where the time-first ids may tie).
  func customers(offset: Int, limit: Int) throws -> [Customer] {
    let mark = Self.dialect.parameter
    return try customers(
      where: "true ORDER BY \(Self.dialect.insertionOrder) LIMIT \(mark(1)) OFFSET \(mark(2))",
      [.integer(Int64(limit)), .integer(Int64(offset))])
  }

  func codeExists(_ code: String) throws -> Bool {
    try first(Shared.codeExists[Self.dialect], [.text(code)]) { _ in true } ?? false
  }

  func vouchers(holderId: String) throws -> [Voucher] {
    try vouchers(
      where: """
        holder_id = \(Self.dialect.parameter(1)) AND deleted_at IS NULL
        ORDER BY created_at, code
        """,
      [.text(holderId)])
  }

  func vouchers(limit: Int, offset: Int) throws -> [Voucher] {
    let mark = Self.dialect.parameter
    return try vouchers(
      where: """
        deleted_at IS NULL ORDER BY \(Self.dialect.insertionOrder)
        LIMIT \(mark(1)) OFFSET \(mark(2))
        """,
      [.integer(Int64(limit)), .integer(Int64(offset))])
  }

  // MARK: Redemptions and rollbacks

  func redemptionsWithChildren(where clause: String, _ values: [SQLValue]) throws
    -> [Redemption]
  {
    try withChildren(redemptions(SQL(StoreRows.selectRedemptions + clause), values))
  }

  func redemption(id: String) throws -> Redemption? {
    try withChildren(redemptions(Shared.redemptionById[Self.dialect], [.text(id)])).first
  }

  /// The redemption of a voucher under an order, as stored (a store may know the answer
  /// without asking: `redemption(voucherId:orderSourceId:)`).
  func storedRedemption(voucherId: String, orderSourceId: String) throws -> Redemption? {
    try redemptions(
      Shared.redemptionByVoucherOrder[Self.dialect], [.text(voucherId), .text(orderSourceId)]
    ).first
  }

  func latestSucceededRedemption(voucherId: String) throws -> Redemption? {
    try redemptions(Shared.latestSucceededRedemption[Self.dialect], [.text(voucherId)]).first
  }

  private func redemptions(_ sql: SQL, _ values: [SQLValue]) throws -> [Redemption] {
    var found: [Redemption] = []
    try each(sql, values) { found.append(try StoreRows.redemption(from: $0)) }
    return found
  }

  /// Fills in the children of stacked parents.
  private func withChildren(_ list: [Redemption]) throws -> [Redemption] {
    try list.map { redemption in
      guard redemption.voucherId == nil else { return redemption }
      var parent = redemption
      parent.children = try redemptions(
        Shared.childRedemptions[Self.dialect], [.text(redemption.id)])
      return parent
    }
  }

  func succeededRedemptionCount(voucherId: String, customerId: String) throws -> Int64 {
    try first(
      Shared.succeededRedemptionCount[Self.dialect], [.text(voucherId), .text(customerId)]
    ) { $0.int(0) } ?? 0
  }

  func markRolledBack(redemptionId: String, rollbackId: String) throws {
    try execute(Shared.markRolledBack[Self.dialect], [.text(rollbackId), .text(redemptionId)])
  }

  func insert(_ rollback: Rollback) throws {
    try execute(Shared.insertRollback[Self.dialect], StoreRows.rollbackValues(rollback))
  }

  func rollback(id: String) throws -> Rollback? {
    try first(Shared.rollbackById[Self.dialect], [.text(id)]) { StoreRows.rollback(from: $0) }
  }

  // MARK: Events

  func events(subject: String?, limit: Int) throws -> [Event] {
    var found: [Event] = []
    let (sql, values): (DialectSQL, [SQLValue]) =
      subject.map { (Shared.eventsOfSubject, [.text($0), .integer(Int64(limit))]) }
      ?? (Shared.events, [.integer(Int64(limit))])
    try each(sql[Self.dialect], values) { found.append(StoreRows.event(from: $0)) }
    return found
  }

  // MARK: Issuance

  func issuanceBatch(name: String) throws -> String? {
    try first(Shared.issuanceBatch[Self.dialect], [.text(name)]) { $0.text(0) }
  }

  func createIssuanceBatch(name: String, fingerprint: String, at date: Date) throws {
    try execute(
      Shared.createIssuanceBatch[Self.dialect], [.text(name), .text(fingerprint), .from(date)])
  }

  func issuedVoucher(batch: String, customerId: String) throws -> String? {
    try first(Shared.issuedVoucher[Self.dialect], [.text(batch), .text(customerId)]) {
      $0.text(0)
    }
  }

  func recordIssued(batch: String, customerId: String, voucherId: String, line: Int) throws {
    try execute(
      Shared.recordIssued[Self.dialect],
      [.text(batch), .text(customerId), .text(voucherId), .integer(Int64(line))])
  }

  // MARK: The whole store

  func counts() throws -> (customers: Int, vouchers: Int, redemptions: Int) {
    try first(Shared.counts[Self.dialect], []) {
      (Int($0.int(0)), Int($0.int(1)), Int($0.int(2)))
    } ?? (0, 0, 0)
  }
}
