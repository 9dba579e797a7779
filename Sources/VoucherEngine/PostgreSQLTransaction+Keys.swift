import Foundation

extension PostgreSQLTransaction {
  private static let keyColumns = "app_id, name, role, salt, token_hash, created_at, revoked_at"

  /// Every authenticated request reads its key: the statement is kept.
  private static let keyByAppId = SQL("SELECT \(keyColumns) FROM api_keys WHERE app_id = $1")

  private static func storedKey(from row: PostgreSQLRow) throws -> StoredAPIKey {
    guard let role = APIRole(rawValue: row.text(2)) else {
      throw StoreError.corrupt("api key \(row.text(0)) has role \(row.text(2))")
    }
    return StoredAPIKey(
      key: APIKey(
        appId: row.text(0), name: row.text(1), role: role,
        createdAt: Date(millisecondsSince1970: row.int(5)),
        revokedAt: row.optionalInt(6).map(Date.init(millisecondsSince1970:))),
      salt: row.text(3), tokenHash: row.text(4))
  }

  func insert(_ stored: StoredAPIKey) throws {
    try connection.run(
      "INSERT INTO api_keys (\(Self.keyColumns)) VALUES (\(Self.placeholders(7)))",
      [
        .text(stored.key.appId), .text(stored.key.name), .text(stored.key.role.rawValue),
        .text(stored.salt), .text(stored.tokenHash), .from(stored.key.createdAt),
        .from(stored.key.revokedAt),
      ])
  }

  func apiKey(appId: String) throws -> StoredAPIKey? {
    try connection.first(Self.keyByAppId, [.text(appId)], Self.storedKey(from:))
  }

  func apiKeys() throws -> [StoredAPIKey] {
    var found: [StoredAPIKey] = []
    try connection.each(
      "SELECT \(Self.keyColumns) FROM api_keys ORDER BY created_at, seq", []
    ) { found.append(try Self.storedKey(from: $0)) }
    return found
  }

  func revokeAPIKey(appId: String, at date: Date) throws -> Bool {
    try connection.run(
      "UPDATE api_keys SET revoked_at = $1 WHERE app_id = $2 AND revoked_at IS NULL",
      [.from(date), .text(appId)]) == 1
  }
}
