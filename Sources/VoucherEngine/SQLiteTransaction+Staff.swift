import Foundation

// The staff table's columns and mapping are `StoreRows`'. SQLite's `name` column is
// NOCASE, so a plain `=` finds a name whatever its case (PostgreSQL says `lower`).
extension SQLiteTransaction {
  func staffMember(name: String) throws -> StoredStaffMember? {
    try connection.first(
      "SELECT \(StoreRows.staffColumns) FROM staff WHERE name = ?", [.text(name)],
      StoreRows.storedStaff(from:))
  }

  func staffMembers() throws -> [StoredStaffMember] {
    var found: [StoredStaffMember] = []
    try connection.each(
      "SELECT \(StoreRows.staffColumns) FROM staff ORDER BY created_at, rowid", []
    ) { found.append(try StoreRows.storedStaff(from: $0)) }
    return found
  }

  func saveStaffMember(_ staff: StoredStaffMember) throws {
    try connection.run(
      """
      INSERT OR REPLACE INTO staff (\(StoreRows.staffColumns))
      VALUES (\(Self.parameters(for: StoreRows.staffColumns)))
      """, StoreRows.staffValues(staff))
  }

  func revokeStaffMember(name: String, at date: Date) throws -> Bool {
    try connection.run(
      "UPDATE staff SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
      [.from(date), .text(name)])
    return connection.changes == 1
  }

  func setStaffPINFailures(name: String, count: Int, lockedUntil: Date?) throws {
    try connection.run(
      "UPDATE staff SET failed_attempts = ?, locked_until = ? WHERE name = ?",
      [.integer(Int64(count)), .from(lockedUntil), .text(name)])
  }
}
