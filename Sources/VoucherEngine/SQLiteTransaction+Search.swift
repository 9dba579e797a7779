import Foundation

extension SQLiteTransaction {
  // The two expressions of the indexes of migration 10, repeated exactly: SQLite uses an
  // index on an expression only for the same expression.
  private static let emailLocalPart = "substr(email_fold, 1, instr(email_fold, '@') - 1)"
  private static let bareMemberNumber =
    "lower(ltrim(member_number, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -_./#:'))"
  /// Above every string that starts with a given prefix: a prefix search is a range scan.
  private static let above = "char(1114111)"

  /// One kind of match: its ids in the group's own order, and the same set unordered for
  /// counting.
  private struct Group {
    enum Kind {
      /// Exact matches (a member number without prefix, an email's local part): few.
      case exact
      /// Part of a phone number: may be many.
      case phone
      /// Name word prefixes: may be many; `count` counts them without a DISTINCT.
      case names(count: String, values: [SQLValue])
    }

    var kind: Kind
    var ordered: String
    var unordered: String
    var values: [SQLValue]
  }

  private static func groups(of search: CustomerSearch) -> [Group] {
    var groups: [Group] = []
    if let bare = search.bareMemberNumber {
      let select = "SELECT id AS customer_id FROM customers WHERE \(bareMemberNumber) = ?"
      groups.append(
        Group(
          kind: .exact, ordered: select + " ORDER BY id", unordered: select, values: [.text(bare)]))
    }
    if let local = search.emailLocalPart {
      let select = "SELECT id AS customer_id FROM customers WHERE \(emailLocalPart) = ?"
      groups.append(
        Group(
          kind: .exact, ordered: select + " ORDER BY id", unordered: select, values: [.text(local)])
      )
    }
    for digits in search.phoneDigits {
      let select = """
        SELECT customer_id FROM customer_phone_digits
        WHERE digits >= ? AND digits < ? || \(above)
        """
      groups.append(
        Group(
          kind: .phone, ordered: select + " ORDER BY digits, customer_id", unordered: select,
          values: [.text(digits), .text(digits)]))
    }
    // The longest word is scanned (the fewest rows); each other word narrows it through a
    // set SQLite builds once.
    let words = search.nameWordPrefixes.sorted { $0.utf8.count > $1.utf8.count }
    if let longest = words.first {
      var filter = ""
      var filterValues: [SQLValue] = []
      for word in words.dropFirst() {
        filter += """
           AND customer_id IN (SELECT customer_id FROM customer_words
                               WHERE word >= ? AND word < ? || \(above))
          """
        filterValues += [.text(word), .text(word)]
      }
      let range = "FROM customer_words WHERE word >= ? AND word < ? || \(above)"
      let values: [SQLValue] = [.text(longest), .text(longest)] + filterValues
      let count = "SELECT count(*) \(range) AND shared < ?\(filter)"
      let countValues: [SQLValue] =
        [.text(longest), .text(longest), .integer(Int64(longest.unicodeScalars.count))]
        + filterValues
      groups.append(
        Group(
          kind: .names(count: count, values: countValues),
          ordered: "SELECT customer_id \(range)\(filter) ORDER BY word, customer_id",
          unordered: "SELECT customer_id \(range)\(filter)", values: values))
    }
    return groups
  }

  func searchCustomers(_ search: CustomerSearch, offset: Int, limit: Int, counting: Bool)
    throws -> (customers: [Customer], total: Int?)
  {
    let groups = Self.groups(of: search)
    let total = counting ? try countMatches(search, groups: groups) : nil
    guard limit > 0, offset < (total ?? Int.max) else { return ([], total) }
    var seen = Set<String>()
    var page: [String] = []
    var skipped = 0
    /// Takes an id in order; false once the page is full.
    func take(_ id: String) -> Bool {
      guard seen.insert(id).inserted else { return true }
      if skipped < offset {
        skipped += 1
      } else {
        page.append(id)
      }
      return page.count < limit
    }
    var full = false
    for id in search.pinnedIds where !full { full = !take(id) }
    // Where each group's part of the page starts: shown sorted by name within it.
    var starts: [Int] = []
    for group in groups where !full {
      starts.append(page.count)
      try connection.each(
        group.ordered, group.values,
        while: { row in
          full = !take(row.text(0))
          return !full
        })
    }
    var customers = try page.compactMap { try customer(id: $0) }
    // The index order (matching word, then id) decides which customers are on which page,
    // so pages never overlap; a screen lists each part by name, as people look for them.
    for (index, start) in starts.enumerated() {
      let end = index + 1 < starts.count ? starts[index + 1] : customers.count
      guard start < end, end <= customers.count else { continue }
      customers[start..<end].sort(by: Self.byName)
    }
    return (customers, total)
  }

  /// Name without regard to ASCII case (as `COLLATE NOCASE`), then id; no name first.
  private static func byName(_ left: Customer, _ right: Customer) -> Bool {
    let leftName = (left.name ?? "").lowercased()
    let rightName = (right.name ?? "").lowercased()
    return leftName != rightName ? leftName < rightName : left.id < right.id
  }

  /// How many distinct customers the pinned ids and the groups name together, exactly.
  ///
  /// The usual query (a name, with at most one group that can be large) is counted with
  /// one index scan: the large group's own count, plus the few exact matches that are not
  /// in it (checked one by one). Only two large groups at once (digits that are part of
  /// a phone number and of a name) are counted by a UNION, which sorts every match.
  private func countMatches(_ search: CustomerSearch, groups: [Group]) throws -> Int {
    let large = groups.filter {
      if case .exact = $0.kind { return false }
      return true
    }
    if large.count > 1 || (large.count == 1 && search.phoneDigits.count > 1) {
      return try unionCount(pinned: search.pinnedIds, groups: groups)
    }
    var few = Set(search.pinnedIds)
    for group in groups {
      guard case .exact = group.kind else { continue }
      try connection.each(group.unordered, group.values) { few.insert($0.text(0)) }
    }
    guard let group = large.first else { return few.count }
    var count: Int
    if case .names(let sql, let values) = group.kind {
      count = Int(try connection.first(sql, values) { $0.int(0) } ?? 0)
    } else {
      count = Int(
        try connection.first(
          "SELECT count(DISTINCT customer_id) FROM (\(group.unordered))", group.values
        ) { $0.int(0) } ?? 0)
    }
    for id in few {
      guard let customer = try customer(id: id) else { continue }
      if !Self.matchesLargeGroup(customer, search) { count += 1 }
    }
    return count
  }

  /// Whether a customer is among the name-word or phone-digit matches of `search`, by the
  /// same rules as the index (folded words, byte prefixes; digits of the phone).
  private static func matchesLargeGroup(_ customer: Customer, _ search: CustomerSearch) -> Bool {
    if !search.nameWordPrefixes.isEmpty {
      let words = ContactText.words(of: customer.name ?? "")
      let all = search.nameWordPrefixes.allSatisfy { prefix in
        words.contains { $0.utf8.starts(with: prefix.utf8) }
      }
      if all { return true }
    }
    if let digits = search.phoneDigits.first, let phone = customer.phone {
      return ContactText.phoneDigitSuffixes(phone).contains { $0.utf8.starts(with: digits.utf8) }
    }
    return false
  }

  private func unionCount(pinned: [String], groups: [Group]) throws -> Int {
    var parts = groups.map(\.unordered)
    var values = groups.flatMap(\.values)
    if !pinned.isEmpty {
      parts.append("VALUES " + Array(repeating: "(?)", count: pinned.count).joined(separator: ", "))
      values += pinned.map { .text($0) }
    }
    let sql = "SELECT count(*) FROM (\(parts.joined(separator: " UNION ")))"
    return Int(try connection.first(sql, values) { $0.int(0) } ?? 0)
  }

  func indexPhoneDigits(of phone: String?, customerId: String) throws {
    guard let phone else { return }
    let suffixes = ContactText.phoneDigitSuffixes(phone)
    guard !suffixes.isEmpty else { return }
    // One statement for all of a number's rows (at most 11 shapes, each kept prepared):
    // bulk issuance writes them for every new customer.
    try connection.run(
      "INSERT OR IGNORE INTO customer_phone_digits (digits, customer_id) VALUES "
        + Array(repeating: "(?, ?)", count: suffixes.count).joined(separator: ", "),
      suffixes.flatMap { [SQLValue.text($0), .text(customerId)] })
  }

  func unindexPhoneDigits(of phone: String, customerId: String) throws {
    for suffix in ContactText.phoneDigitSuffixes(phone) {
      try connection.run(
        "DELETE FROM customer_phone_digits WHERE digits = ? AND customer_id = ?",
        [.text(suffix), .text(customerId)])
    }
  }
}
