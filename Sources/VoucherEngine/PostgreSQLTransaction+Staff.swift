import Foundation

// Staff PINs and the Find screen's search, on PostgreSQL. The search reads the customers
// table itself (digits of the phone, the member number without its prefix, the email's
// local part, name words) rather than SQLite's suffix table: the same matches, each once,
// in the same order. The staff table's columns and mapping are `StoreRows`'; a name is
// found whatever its case by `lower(name)` (its unique index), as SQLite's NOCASE column.
extension PostgreSQLTransaction {
  func staffMember(name: String) throws -> StoredStaffMember? {
    try connection.first(
      "SELECT \(StoreRows.staffColumns) FROM staff WHERE lower(name) = lower($1)",
      [.text(name)], StoreRows.storedStaff(from:))
  }

  func staffMembers() throws -> [StoredStaffMember] {
    var found: [StoredStaffMember] = []
    try connection.each(
      "SELECT \(StoreRows.staffColumns) FROM staff ORDER BY created_at, name", []
    ) { found.append(try StoreRows.storedStaff(from: $0)) }
    return found
  }

  func saveStaffMember(_ staff: StoredStaffMember) throws {
    _ = try connection.run(
      "DELETE FROM staff WHERE lower(name) = lower($1)", [.text(staff.member.name)])
    _ = try connection.run(
      """
      INSERT INTO staff (\(StoreRows.staffColumns))
      VALUES (\(Self.placeholders(for: StoreRows.staffColumns)))
      """, StoreRows.staffValues(staff))
  }

  func revokeStaffMember(name: String, at date: Date) throws -> Bool {
    try connection.run(
      "UPDATE staff SET revoked_at = $1 WHERE lower(name) = lower($2) AND revoked_at IS NULL",
      [.from(date), .text(name)]) == 1
  }

  func setStaffPINFailures(name: String, count: Int, lockedUntil: Date?) throws {
    _ = try connection.run(
      "UPDATE staff SET failed_attempts = $1, locked_until = $2 WHERE lower(name) = lower($3)",
      [.integer(Int64(count)), .from(lockedUntil), .text(name)])
  }

  func searchCustomers(_ search: CustomerSearch, offset: Int, limit: Int, counting: Bool)
    throws -> (customers: [Customer], total: Int?)
  {
    // Each kind of match is a rank; a customer takes the best rank it has, and the pinned
    // ones come first in their own order.
    var ranks: [String] = []
    var values: [SQLValue] = []
    func parameter(_ value: SQLValue) -> String {
      values.append(value)
      return "$\(values.count)"
    }
    for (index, id) in search.pinnedIds.enumerated() {
      ranks.append("WHEN id = \(parameter(.text(id))) THEN \(index)")
    }
    let base = search.pinnedIds.count
    if let bare = search.bareMemberNumber {
      ranks.append(
        "WHEN lower(regexp_replace(member_number, '^[A-Za-z ._/#:-]+', '')) = \(parameter(.text(bare))) THEN \(base)"
      )
    }
    if let local = search.emailLocalPart {
      ranks.append(
        "WHEN split_part(email_fold, '@', 1) = \(parameter(.text(local))) THEN \(base + 1)")
    }
    for digits in search.phoneDigits {
      ranks.append(
        "WHEN strpos(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'), \(parameter(.text(digits)))) > 0 THEN \(base + 2)"
      )
    }
    if !search.nameWordPrefixes.isEmpty {
      let words = search.nameWordPrefixes.map { prefix in
        let value = parameter(.text(prefix))
        return """
          EXISTS (SELECT 1 FROM customer_words w WHERE w.customer_id = customers.id
            AND w.word >= \(value) COLLATE "C" AND w.word < (\(value) || chr(1114111)) COLLATE "C")
          """
      }
      ranks.append("WHEN \(words.joined(separator: " AND ")) THEN \(base + 3)")
    }
    guard !ranks.isEmpty else { return ([], counting ? 0 : nil) }
    let rank = "CASE \(ranks.joined(separator: " ")) END"
    let matching = "SELECT id, \(rank) AS rank FROM customers WHERE deleted_at IS NULL"
    let page = try customers(
      where: """
        id IN (SELECT id FROM (\(matching)) m WHERE rank IS NOT NULL)
        ORDER BY (SELECT rank FROM (\(matching)) r WHERE r.id = customers.id), lower(name), id
        LIMIT \(parameter(.integer(Int64(limit)))) OFFSET \(parameter(.integer(Int64(offset))))
        """, values)
    guard counting else { return (page, nil) }
    let total = try connection.first(
      "SELECT count(*) FROM (\(matching)) m WHERE rank IS NOT NULL",
      Array(values.dropLast(2))
    ) { Int($0.int(0)) }
    return (page, total ?? 0)
  }
}
