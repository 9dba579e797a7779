import Foundation
import Testing

@testable import VoucherEngine

/// A new database is made in one step from `SQLiteSchema.current`; every older one steps
/// through the migrations. Both must end with the same schema, object for object.
@Suite("the SQLite schema in one step")
struct SQLiteSchemaTests {
  /// `sqlite_schema` of the file at `path` (SQLite's own objects left out), by name.
  func schema(_ path: String) throws -> String {
    let rows = try runSQLiteShell(
      path,
      "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name; PRAGMA user_version;"
    )
    try #require(rows.status == 0, "sqlite3 failed: \(rows.output)")
    return rows.output
  }

  @Test("a new file made from the current schema equals one stepped through every migration")
  func currentEqualsMigrations() throws {
    let new = try makeDatabasePath()
    _ = try VoucherEngine(path: new)
    let stepped = try makeDatabasePath()
    let script =
      SQLiteSchema.migrations.joined(separator: "\n")
      + "\nPRAGMA user_version = \(SQLiteSchema.migrations.count);"
    let shell = try runSQLiteShell(stepped, script)
    try #require(shell.status == 0, "sqlite3 failed: \(shell.output)")
    _ = try VoucherEngine(path: stepped)
    let made = try schema(new)
    #expect(made.contains("customer_phone_digits"))
    #expect(
      made == (try schema(stepped)),
      """
      SQLiteSchema.current is not what the migrations make: after adding a migration, set it \
      to the output of sqlite3 FILE "SELECT sql || ';' FROM sqlite_schema WHERE sql IS NOT \
      NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid" for a file made by the migrations
      """)
  }
}
