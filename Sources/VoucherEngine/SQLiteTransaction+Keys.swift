import Foundation

// The api_keys table's columns and mapping are `StoreRows`'.
extension SQLiteTransaction {
  /// Every authenticated request reads its key: the statement is kept.
  private static let keyByAppId = SQL(
    "SELECT \(StoreRows.keyColumns) FROM api_keys WHERE app_id = ?")

  func insert(_ stored: StoredAPIKey) throws {
    try connection.run(
      """
      INSERT INTO api_keys (\(StoreRows.keyColumns))
      VALUES (\(Self.parameters(for: StoreRows.keyColumns)))
      """, StoreRows.keyValues(stored))
  }

  func apiKey(appId: String) throws -> StoredAPIKey? {
    try connection.first(Self.keyByAppId, [.text(appId)], StoreRows.storedKey(from:))
  }

  func apiKeys() throws -> [StoredAPIKey] {
    var found: [StoredAPIKey] = []
    try connection.each(
      "SELECT \(StoreRows.keyColumns) FROM api_keys ORDER BY created_at, rowid", []
    ) { found.append(try StoreRows.storedKey(from: $0)) }
    return found
  }

  func revokeAPIKey(appId: String, at date: Date) throws -> Bool {
    try connection.run(
      "UPDATE api_keys SET revoked_at = ? WHERE app_id = ? AND revoked_at IS NULL",
      [.from(date), .text(appId)])
    return connection.changes == 1
  }
}
