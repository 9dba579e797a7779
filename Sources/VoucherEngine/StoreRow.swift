import Foundation

/// One row of a result, as the mappings of `StoreRows` read it: the current row of a
/// stepping SQLite statement (`SQLiteRow`) or a row of a PostgreSQL result (`PostgreSQLRow`).
///
/// The mappings are generic over it, never written for `any StoreRow`: inside the module
/// each one is specialised for the concrete row, so a column read stays a direct call and
/// no row is boxed (a validation maps its customer and vouchers on every request).
protocol StoreRow {
  /// A text column; "" when it is NULL.
  func text(_ column: Int32) -> String
  func optionalText(_ column: Int32) -> String?
  /// An integer column; 0 when it is NULL.
  func int(_ column: Int32) -> Int64
  func optionalInt(_ column: Int32) -> Int64?
  /// A flag. The stores keep it in different types (SQLite an integer 0 or 1, PostgreSQL a
  /// boolean), so each row reads its own; `SQLValue.boolean` writes it.
  func bool(_ column: Int32) -> Bool
}

extension StoreRow {
  /// A date column: both stores keep integer milliseconds since 1970 (UTC).
  func date(_ column: Int32) -> Date { Date(millisecondsSince1970: int(column)) }

  func optionalDate(_ column: Int32) -> Date? {
    optionalInt(column).map(Date.init(millisecondsSince1970:))
  }
}
