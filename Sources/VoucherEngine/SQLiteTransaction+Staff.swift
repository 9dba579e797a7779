import Foundation

extension SQLiteTransaction {
  private static let staffColumns =
    "name, role, salt, pin_hash, created_at, revoked_at, failed_attempts, locked_until"

  private static func storedStaff(from row: Row) throws -> StoredStaffMember {
    guard let role = StaffRole(rawValue: row.text(1)) else {
      throw StoreError.corrupt("staff \(row.text(0)) has role \(row.text(1))")
    }
    return StoredStaffMember(
      member: StaffMember(
        name: row.text(0), role: role, createdAt: Date(millisecondsSince1970: row.int(4)),
        revokedAt: row.optionalInt(5).map(Date.init(millisecondsSince1970:))),
      salt: row.text(2), pinHash: row.text(3), failedAttempts: Int(row.int(6)),
      lockedUntil: row.optionalInt(7).map(Date.init(millisecondsSince1970:)))
  }

  func staffMember(name: String) throws -> StoredStaffMember? {
    try connection.first(
      "SELECT \(Self.staffColumns) FROM staff WHERE name = ?", [.text(name)],
      Self.storedStaff(from:))
  }

  func staffMembers() throws -> [StoredStaffMember] {
    var found: [StoredStaffMember] = []
    try connection.each("SELECT \(Self.staffColumns) FROM staff ORDER BY created_at, rowid", []) {
      found.append(try Self.storedStaff(from: $0))
    }
    return found
  }

  func saveStaffMember(_ staff: StoredStaffMember) throws {
    try connection.run(
      "INSERT OR REPLACE INTO staff (\(Self.staffColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [
        .text(staff.member.name), .text(staff.member.role.rawValue), .text(staff.salt),
        .text(staff.pinHash), .from(staff.member.createdAt), .from(staff.member.revokedAt),
        .integer(Int64(staff.failedAttempts)), .from(staff.lockedUntil),
      ])
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
