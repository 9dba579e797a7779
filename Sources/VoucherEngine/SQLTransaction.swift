import Foundation

/// A store transaction in SQL, as both stores' are: the list queries are written once
/// here, and the statements the stores run alike in `SQLTransaction+Shared.swift`, over
/// what each store gives (its dialect, its statements' runner, its SELECTs and their row
/// mappings).
///
/// These are generic, and specialised for each store inside the module: a shared statement
/// costs what the store's own would (the issuance's run for every row of a batch).
protocol SQLTransaction: StoreTransaction {
  /// The store's row type, which the shared statements' mappings read.
  associatedtype Row: StoreRow
  static var dialect: SQLDialect { get }
  /// Runs a statement that returns no rows.
  func execute(_ sql: SQL, _ values: [SQLValue]) throws
  /// `map` of the statement's first row; nil without one.
  func first<T>(_ sql: SQL, _ values: [SQLValue], _ map: (Row) throws -> T) throws -> T?
  /// `body` for each row of the statement's result.
  func each(_ sql: SQL, _ values: [SQLValue], _ body: (Row) throws -> Void) throws
  /// The count in the first column of `sql`'s first row (0 without a row).
  func count(_ sql: String, _ values: [SQLValue]) throws -> Int
  /// Live customers: `clause` follows `WHERE deleted_at IS NULL AND`.
  func customers(where clause: String, _ values: [SQLValue]) throws -> [Customer]
  /// Vouchers, deleted ones included: `clause` follows `WHERE`.
  func vouchers(where clause: String, _ values: [SQLValue]) throws -> [Voucher]
  /// Redemptions, each stacked parent with its children: `clause` follows `WHERE`.
  func redemptionsWithChildren(where clause: String, _ values: [SQLValue]) throws
    -> [Redemption]
}

extension SQLTransaction {
  func customers(matching query: CustomerQuery) throws -> (customers: [Customer], total: Int) {
    var conditions = SQLConditions.customers(query, in: Self.dialect)
    let total = try count(
      "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND \(conditions.text)",
      conditions.values)
    let order = Self.dialect.order(query.order, of: CustomerQuery.orderFields)
    let page = conditions.page(limit: query.limit, offset: query.offset)
    let found = try customers(
      where: "\(conditions.text) ORDER BY \(order) \(page)", conditions.values)
    return (found, total)
  }

  func vouchers(matching query: VoucherQuery) throws -> (vouchers: [Voucher], total: Int) {
    var conditions = SQLConditions.vouchers(query, in: Self.dialect)
    let total = try count(
      "SELECT count(*) FROM vouchers WHERE \(conditions.text)", conditions.values)
    let order = Self.dialect.order(query.order, of: VoucherQuery.orderFields)
    let page = conditions.page(limit: query.limit, offset: query.offset)
    let found = try vouchers(
      where: "\(conditions.text) ORDER BY \(order) \(page)", conditions.values)
    return (found, total)
  }

  func redemptions(matching query: RedemptionQuery, customerId: String?, voucherId: String?)
    throws -> [Redemption]
  {
    var conditions = SQLConditions.redemptions(
      query, customerId: customerId, voucherId: voucherId, in: Self.dialect)
    let order = Self.dialect.order(
      query.order, of: RedemptionQuery.orderFields,
      column: { $0 == "created_at" ? "date" : $0 }, fallback: ("date", descending: true))
    let limit = max(1, min(query.limit, 1000))
    let page = conditions.page(limit: limit, offset: (max(1, query.page) - 1) * limit)
    return try redemptionsWithChildren(
      where: "\(conditions.text) ORDER BY \(order) \(page)", conditions.values)
  }
}
