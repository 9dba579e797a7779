import Foundation

/// Where the two stores' SQL says the same thing differently, for the statements they
/// otherwise share (`SQLConditions`, the writes built from `StoreRows`' columns): each
/// difference has a name here, and its reason.
enum SQLDialect {
  case sqlite
  case postgreSQL

  /// The mark of a parameter. Numbered in both (`?1`, `$1`), so that one values list
  /// serves a statement whatever order it names them in (an UPDATE names its key last).
  var mark: Character {
    switch self {
    case .sqlite: "?"
    case .postgreSQL: "$"
    }
  }

  /// The column that orders rows as they were inserted, even within one millisecond
  /// (where the time-first ids may tie): SQLite's `rowid`; PostgreSQL's tables have none,
  /// and keep a `seq` of their own.
  var insertionOrder: String {
    switch self {
    case .sqlite: "rowid"
    case .postgreSQL: "seq"
    }
  }

  /// The city of a customer's address, a JSON text.
  var addressCity: String {
    switch self {
    case .sqlite: "json_extract(address, '$.city')"
    case .postgreSQL: "address::jsonb ->> 'city'"
    }
  }

  /// `left = right` whatever the case: SQLite's NOCASE collation; PostgreSQL has no such
  /// collation here and compares `lower()` of both.
  func equalIgnoringCase(_ left: String, _ right: String) -> String {
    switch self {
    case .sqlite: "\(left) = \(right) COLLATE NOCASE"
    case .postgreSQL: "lower(\(left)) = lower(\(right))"
    }
  }

  /// The parameter numbered `number` (from 1).
  func parameter(_ number: Int) -> String { "\(mark)\(number)" }

  /// `count` numbered parameters from `first`: `?1, ?2, …` or `$1, $2, …`.
  func parameters(_ count: Int, from first: Int = 1) -> String {
    (first..<(first + count)).map(parameter).joined(separator: ", ")
  }

  /// A parameter for each of `columns`, in order.
  func parameters(for columns: String) -> String {
    parameters(StoreRows.names(columns).count)
  }

  /// `name = ?2, other = ?3, …` for every column but the first (the key, parameter 1 of
  /// the same values in the WHERE clause): an UPDATE takes the INSERT's values as they are.
  func assignments(_ columns: String) -> String {
    StoreRows.names(columns).enumerated().dropFirst()
      .map { "\($0.element) = \(parameter($0.offset + 1))" }.joined(separator: ", ")
  }

  /// An ORDER BY: the field asked for if `fields` has it (as the column `column(field)`),
  /// else `fallback` (nil: insertion order, oldest first); ties in insertion order, in the
  /// same direction.
  func order(
    _ sort: ListOrder?, of fields: Set<String>, column: (String) -> String = { $0 },
    fallback: (column: String, descending: Bool)? = nil
  ) -> String {
    if let sort, fields.contains(sort.field) {
      let direction = sort.descending ? "DESC" : "ASC"
      return "\(column(sort.field)) \(direction), \(insertionOrder) \(direction)"
    }
    guard let fallback else { return insertionOrder }
    let direction = fallback.descending ? "DESC" : "ASC"
    return "\(fallback.column) \(direction), \(insertionOrder) \(direction)"
  }
}
