import Foundation
import Testing

@testable import VoucherEngine

@Suite("search that says when there is more")
struct SearchTests {
  private func seeded() throws -> VoucherEngine {
    let engine = try makeEngine()
    try engine.upsertCustomer(
      CustomerDraft(
        sourceId: "c-1", name: "Alice Example", email: "Alice@Example.com", phone: "070-123 45 67",
        memberNumber: "M-100123"))
    try engine.upsertCustomer(
      CustomerDraft(
        sourceId: "c-2", name: "Bo Lindqvist", email: "bo@example.se", phone: "+46 8 555 012 34",
        memberNumber: "LOY/77"))
    try engine.upsertCustomer(
      CustomerDraft(sourceId: "c-3", name: "山田太郎", email: "alicea@example.jp"))
    return engine
  }

  @Test(
    "a partial phone number, a member number without its prefix and an email's local part find the contact",
    arguments: [
      // +46701234567: its digits hold 70123 and 12345, never 71234 (not consecutive).
      ("70123", ["Alice Example"]), ("12345", ["Alice Example"]), ("71234", []),
      ("46701", ["Alice Example"]), ("4567", []),
      ("070 123", ["Alice Example"]), ("0701234567", ["Alice Example"]),
      ("01234", ["Alice Example", "Bo Lindqvist"]), ("55501", ["Bo Lindqvist"]),
      ("100123", ["Alice Example"]), ("m100123", ["Alice Example"]), ("10012", []),
      ("77", ["Bo Lindqvist"]), ("loy/77", ["Bo Lindqvist"]),
      ("alice", ["Alice Example"]), ("alice@", ["Alice Example"]), ("ALICE", ["Alice Example"]),
      ("alicea", ["山田太郎"]), ("alicea@", ["山田太郎"]), ("alic", ["Alice Example"]),
      ("bo@", ["Bo Lindqvist"]), ("example", ["Alice Example"]), ("山田", ["山田太郎"]),
    ])
  func partialMatches(query: String, names: [String]) throws {
    let engine = try seeded()
    let found = try engine.findCustomers(query, limit: 20, offset: 0)
    #expect(Set(found.customers.compactMap(\.name)) == Set(names))
    #expect(found.customers.count == names.count)
    #expect(found.total == names.count)
  }

  @Test("exact identifiers come first, and each customer is listed and counted once")
  func ordering() throws {
    let engine = try makeEngine()
    // Anna's member number is what Bo's phone digits contain, and both share a name word.
    try engine.upsertCustomer(
      CustomerDraft(sourceId: "a", name: "Anna 7012345", phone: "+46 70 111 22 33"))
    try engine.upsertCustomer(
      CustomerDraft(sourceId: "b", name: "Bo 70123", phone: "+46 70 123 45 67"))
    try engine.upsertCustomer(
      CustomerDraft(sourceId: "c", name: "Cy", phone: "+46 31 000 00 00", memberNumber: "70123"))
    let found = try engine.findCustomers("70123", limit: 10, offset: 0)
    #expect(found.customers.map(\.sourceId) == ["c", "b", "a"])
    #expect(found.total == 3)
  }

  @Test("pages cover every match once, and the total is exact")
  func paging() throws {
    let engine = try makeEngine()
    let drafts = (0..<137).map { index in
      CustomerDraft(
        sourceId: "p-\(index)", name: index % 2 == 0 ? "Lina Lindqvist" : "Per Lindgren",
        phone: "+4670\(String(format: "%07d", index))")
    }
    try engine.upsertCustomers(drafts)
    try engine.upsertCustomer(CustomerDraft(sourceId: "other", name: "Olle Berg"))

    var seen: [String] = []
    var offset = 0
    while true {
      let page = try engine.findCustomers("lind", limit: 50, offset: offset)
      #expect(page.total == 137)
      if page.customers.isEmpty { break }
      seen += page.customers.map(\.id)
      offset += page.customers.count
    }
    #expect(seen.count == 137)
    #expect(Set(seen).count == 137)
    // "l" matches both words of every Lina Lindqvist: still once each.
    let l = try engine.findCustomers("l", limit: 200, offset: 0)
    #expect(l.total == 137)
    #expect(Set(l.customers.map(\.id)).count == 137)
    #expect(try engine.findCustomers("lind", limit: 50, offset: 137).customers.isEmpty)
    #expect(try engine.findCustomers("lind", limit: 0, offset: 0).total == 137)
    #expect(try engine.findCustomers("lina lind", limit: 10, offset: 0).total == 69)
    #expect(try engine.findCustomers("per lindg", limit: 10, offset: 60).customers.count == 8)
    // Phone digits shared by every one of them.
    #expect(try engine.findCustomers("467000", limit: 5, offset: 0).total == 137)
    #expect(try engine.findCustomers("0000136", limit: 5, offset: 0).customers.count == 1)
    // The old form is the first page of the new one.
    #expect(
      try engine.findCustomers("lind", limit: 20)
        == (try engine.findCustomers("lind", limit: 20, offset: 0).customers))
  }

  @Test("the count matches the customers found one by one, for names sharing prefixes")
  func countsAgreeWithBruteForce() throws {
    let engine = try makeEngine()
    let pool = ["an", "anna", "annika", "ann-li", "berg", "bergman", "åsa", "asa", "li", "lin"]
    var random = SplitMix(state: 3)
    var names: [String] = []
    for index in 0..<300 {
      let words = (0..<Int(random.next() % 3 + 1)).map { _ in
        pool[Int(random.next() % UInt64(pool.count))]
      }
      names.append(words.joined(separator: " "))
      try engine.upsertCustomer(CustomerDraft(sourceId: "s-\(index)", name: names[index]))
    }
    for query in ["a", "an", "ann", "anni", "b", "berg", "l", "li", "lin", "an b", "ann li", "å"] {
      let prefixes = ContactText.words(of: query)
      let expected = names.filter { name in
        let words = ContactText.words(of: name)
        return prefixes.allSatisfy { prefix in words.contains { $0.hasPrefix(prefix) } }
      }.count
      var ids = Set<String>()
      var offset = 0
      var total = -1
      repeat {
        let page = try engine.findCustomers(query, limit: 7, offset: offset)
        total = page.total
        ids.formUnion(page.customers.map(\.id))
        offset += 7
      } while offset < total
      #expect(total == expected, "\(query)")
      #expect(ids.count == expected, "\(query)")
    }
  }

  /// SplitMix64: the same sequence on every machine.
  struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  @Test("a changed phone number is found by its new digits only")
  func phoneChanged() throws {
    let engine = try makeEngine()
    try engine.upsertCustomer(CustomerDraft(sourceId: "c-1", name: "Alice", phone: "0701234567"))
    try engine.upsertCustomer(CustomerDraft(sourceId: "c-1", phone: "0739876543"))
    #expect(try engine.findCustomers("12345", limit: 5, offset: 0).total == 0)
    #expect(
      try engine.findCustomers("98765", limit: 5, offset: 0).customers.map(\.sourceId) == ["c-1"])
    try engine.upsertCustomer(CustomerDraft(sourceId: "c-1", name: "Alice B"))
    #expect(try engine.findCustomers("98765", limit: 5, offset: 0).total == 1)
    // A deleted customer is found by nothing.
    try engine.upsertCustomer(
      CustomerDraft(sourceId: "c-1", email: "alice@example.com", memberNumber: "M-42"))
    try engine.deleteCustomer("c-1")
    for query in ["98765", "alice", "42", "alice b"] {
      #expect(try engine.findCustomers(query, limit: 5, offset: 0).total == 0, "\(query)")
    }
    let rows = try runSQLiteShell(
      try databasePath(of: engine), "SELECT count(*) FROM customer_phone_digits;")
    #expect(rows.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
  }

  @Test("a database made before partial search finds its contacts by part of a phone")
  func migrated() throws {
    let path = try makeDatabasePath()
    let oldSchema =
      SQLiteSchema.migrations.prefix(9).joined(separator: "\n") + "\nPRAGMA user_version = 9;"
    let oldRows = """
      INSERT INTO customers (id, name, email, email_fold, phone, member_number, created_at,
        updated_at)
        VALUES ('cust_old', 'Old Timer', 'Old@Example.com', 'old@example.com', '+46701234567',
                'M-555', 0, 0),
               ('cust_twin', 'Anna Annika Berg', NULL, NULL, NULL, NULL, 0, 0);
      INSERT INTO customer_words (word, customer_id)
        VALUES ('old', 'cust_old'), ('timer', 'cust_old'), ('anna', 'cust_twin'),
               ('annika', 'cust_twin'), ('berg', 'cust_twin');
      """
    let shell = try runSQLiteShell(path, oldSchema + oldRows)
    try #require(shell.status == 0, "sqlite3 failed: \(shell.output)")
    let engine = try VoucherEngine(path: path, clock: ManualClock(Day.now))
    for query in ["70123", "555", "old", "OLD@"] {
      #expect(
        try engine.findCustomers(query, limit: 5, offset: 0).customers.map(\.id) == ["cust_old"])
    }
    // Two words sharing "ann": one customer, counted once from the backfilled index.
    let twin = try engine.findCustomers("ann", limit: 5, offset: 0)
    #expect(twin.total == 1)
    #expect(twin.customers.map(\.id) == ["cust_twin"])
    let shared = try runSQLiteShell(
      path, "SELECT word || '=' || shared FROM customer_words WHERE customer_id = 'cust_twin';")
    #expect(shared.output.split(separator: "\n") == ["anna=0", "annika=3", "berg=0"])
    let plan = try runSQLiteShell(
      path,
      "EXPLAIN QUERY PLAN SELECT id FROM customers WHERE lower(ltrim(member_number, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz -_./#:')) = '555';"
    )
    #expect(plan.output.contains("customers_member_bare"), "\(plan.output)")
  }

  @Test(
    "what a query can match",
    arguments: [
      ("M-100123", "100123", nil as String?, [] as [String]),
      ("alice@", nil, "alice", []),
      ("070-12 34", "070-12 34", nil, ["0701234", "701234"]),
      ("0046 7012", "0046 7012", nil, ["00467012", "0467012", "467012"]),
      ("7012", "7012", nil, []),
      ("anna lind", nil, nil, []),
    ])
  func parts(query: String, bare: String?, local: String?, digits: [String]) {
    let search = CustomerSearch(query: query)
    #expect(search.bareMemberNumber == bare.map(ContactText.bareMemberNumber))
    if let local { #expect(search.emailLocalPart == local) }
    #expect(search.phoneDigits == digits)
  }
}
