import Foundation

/// A store transaction in SQL, as both stores' are: the list queries are written once
/// here, over what each store gives (its dialect, its SELECTs and their row mappings).
///
/// The lists are not on a hot path, and these are generic, so specialised for each store
/// inside the module all the same.
protocol SQLTransaction: StoreTransaction {
  static var dialect: SQLDialect { get }
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
