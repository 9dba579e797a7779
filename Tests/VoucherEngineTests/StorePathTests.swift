import Foundation
import Synchronization
import Testing

@testable import VoucherEngine

// The cheaper paths behind validation and redemption must answer exactly as the plain ones.

private let cart = [line("prod_1", 10000)]

@Test("a schema-3 database is migrated: once per order, and its event log kept append-only")
func schemaThreeMigrated() throws {
  let path = try makeDatabasePath()
  let oldSchema =
    SQLiteSchema.migrations.prefix(3).joined(separator: "\n") + "\nPRAGMA user_version = 3;"
  // Two uses of one voucher without an order id, as an older release could store them.
  let oldRows = """
    INSERT INTO vouchers (id, code, type, discount_type, amount_off, currency, active,
      reactivation_limit, created_at, updated_at)
      VALUES ('v_old', 'OLD', 'DISCOUNT_VOUCHER', 'AMOUNT', 100, 'SEK', 1, 3, 0, 0);
    INSERT INTO redemptions (id, voucher_id, order_id, order_amount, order_discount, order_gift,
      order_total, items, amount, status, date)
      VALUES ('r_1', 'v_old', 'ord_1', 1, 0, 0, 1, '[]', 100, 'SUCCEEDED', 1),
             ('r_2', 'v_old', 'ord_2', 1, 0, 0, 1, '[]', 100, 'SUCCEEDED', 2);
    INSERT INTO events (seq, at, kind, subject, detail)
      VALUES (41, 0, 'voucher.created', 'v_old', '{}');
    """
  let shell = try runSQLiteShell(path, oldSchema + oldRows)
  try #require(shell.status == 0, "sqlite3 failed: \(shell.output)")

  let engine = try VoucherEngine(path: path, clock: ManualClock(Day.now))
  let indexes = try runSQLiteShell(
    path, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'redemptions';")
  #expect(!indexes.output.contains("redemptions_voucher_date"))
  #expect(indexes.output.contains("redemptions_voucher_order"))
  #expect(try engine.redemptions(RedemptionQuery(code: "OLD")).map(\.id) == ["r_2", "r_1"])

  try engine.createVoucher(percent(10, code: "TEN"))
  let first = try engine.redeem(request("TEN", items: cart, order: "sale-1"))
  #expect(try engine.redeem(request("TEN", items: cart, order: "sale-1")).isReplay)
  // The database itself still refuses a second redemption of a voucher on one order.
  let duplicate = try runSQLiteShell(
    path,
    """
    INSERT INTO redemptions (id, voucher_id, order_id, order_source_id, order_amount,
      order_discount, order_gift, order_total, items, amount, status, date)
      VALUES ('r_dup', '\(first.redemption.voucherId!)', 'ord_x', 'sale-1', 1, 0, 0, 1, '[]',
              1, 'SUCCEEDED', 3);
    """)
  #expect(duplicate.status != 0)
  #expect(duplicate.output.contains("UNIQUE"))
  #expect(try engine.voucher(code: "TEN")?.redeemedQuantity == 1)

  // The old event keeps its number, new ones come after it, and none can be changed.
  let events = try engine.events()
  #expect(events.last?.sequence == 41)
  #expect(events.last?.subject == "v_old")
  #expect(events.count == 3)
  #expect(events.map(\.sequence) == events.map(\.sequence).sorted(by: >))
  #expect(events[0].sequence > 41)
  for statement in ["UPDATE events SET kind = 'x';", "DELETE FROM events;"] {
    let refused = try runSQLiteShell(path, statement)
    #expect(refused.status != 0)
    #expect(refused.output.contains("append-only"))
  }
  #expect(try engine.events().count == 3)
  #expect(try runSQLiteShell(path, "PRAGMA integrity_check;").output == "ok\n")
}

@Test("cart lines are stored as JSONEncoder writes them and read back unchanged")
func cartLinesJSON() throws {
  let items = [
    line("prod_1", 25_900), line(#"say "hi" \ a/b"#, 4_950, quantity: 3), line("Åsa 山田", 0),
  ]
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  let expected = String(decoding: try encoder.encode(items), as: UTF8.self)
  #expect(JSONText.encode(items: items) == expected)
  #expect(JSONText.encode(items: []) == "[]")

  let control = [line("tab\there\u{1}", 1)]
  #expect(try JSONText.decode([CartItem].self, from: JSONText.encode(items: control)) == control)
}

@Test("quoting escapes exactly the characters JSON requires")
func quoting() {
  #expect(JSONText.quoted("plain") == #""plain""#)
  #expect(JSONText.quoted("") == #""""#)
  #expect(JSONText.quoted(#"a"b\c"#) == #""a\"b\\c""#)
  #expect(JSONText.quoted("line\nnext\u{1}") == #""line\nnext\u0001""#)
  #expect(JSONText.quoted("é/山") == #""é/山""#)
}

@Test("a customer is found by id, and by a source id that looks like an id")
func customerReferences() throws {
  let engine = try makeEngine()
  let shop = try engine.upsertCustomer(CustomerDraft(sourceId: "cust_shop-1", name: "Shop"))
  let other = try engine.upsertCustomer(CustomerDraft(sourceId: "c-2", email: "b@example.com"))
  #expect(try engine.customer(shop.id)?.id == shop.id)
  #expect(try engine.customer("cust_shop-1")?.id == shop.id)
  #expect(try engine.customer(" c-2 ")?.id == other.id)
  #expect(try engine.customer("B@example.com")?.id == other.id)
  #expect(try engine.customer("cust_nobody") == nil)
  #expect(try engine.customer("nobody") == nil)

  try engine.createVoucher(with(percent(10, code: "BOUND")) { $0.holder = shop.id })
  #expect(try engine.validate(request("BOUND", items: cart, customer: "cust_shop-1")).valid)
  #expect(try engine.validate(request("BOUND", items: cart, customer: shop.id)).valid)
}

@Test("product ids: 1–100 characters without a line break, ASCII or not")
func productIds() {
  let valid = ["p", String(repeating: "a", count: 100), String(repeating: "é", count: 100), "a b"]
  let invalid = [
    "", String(repeating: "a", count: 101), String(repeating: "é", count: 101), "a\nb", "a\rb",
    "\r\n", "a\u{0B}", "a\u{0C}", "é\nb", "a\u{2028}b", "a\u{85}",
  ]
  for sku in valid { #expect(CartItem.isValidSKU(sku), "\(sku.debugDescription)") }
  for sku in invalid { #expect(!CartItem.isValidSKU(sku), "\(sku.debugDescription)") }
}

@Test("trimming keeps visible ends and removes Unicode spaces")
func trimming() {
  #expect("ABC".trimmingSpaces() == "ABC")
  #expect(" a b\n".trimmingSpaces() == "a b")
  #expect("\u{3000}山田\u{00A0}".trimmingSpaces() == "山田")
  #expect("e\u{301}".trimmingSpaces() == "e\u{301}")
  #expect(" \t ".trimmingSpaces() == "")
  #expect("B1-0\r\n".normalizedCode == "B1-0")
}

@Test("a refused redemption on its own leaves nothing behind, and the next one commits")
func loneRefusalRollsBack() throws {
  let engine = try makeEngine()
  try engine.createVoucher(with(percent(10, code: "MIN")) { $0.minOrderAmount = 50_000 })
  try engine.createVoucher(percent(10, code: "TEN"))
  let events = try engine.events().count

  #expect(refusal { try engine.redeem(request("MIN", items: cart, order: "sale-1")) } != nil)
  #expect(try engine.events().count == events)
  #expect(try engine.voucher(code: "MIN")?.redeemedQuantity == 0)
  #expect(try engine.redemptions(RedemptionQuery(orderSourceId: "sale-1")).isEmpty)

  let done = try engine.redeem(request("TEN", items: cart, order: "sale-1"))
  #expect(!done.isReplay)
  #expect(try engine.events().count == events + 1)
  #expect(try engine.redemption(id: done.redemption.id) == done.redemption)
}

@Test("an event detail from pairs reads as the one from a dictionary")
func detailFromPairs() {
  #expect(
    JSONText.encode(pairs: ["redemption": "r_1", "code": "A\"B", "order": "o/1", "amount": "10"])
      == JSONText.encode(["redemption": "r_1", "code": "A\"B", "order": "o/1", "amount": "10"]))
  #expect(JSONText.encode(pairs: [:]) == "{}")
}

@Test("ids made on 8 threads at once, past each thread's buffer of random words, are all distinct")
func idsAcrossThreads() {
  let perThread = 1_000
  let made = Mutex<[String]>([])
  DispatchQueue.concurrentPerform(iterations: 8) { _ in
    let mine = (0..<perThread).map { _ in Identifiers.make("r_") }
    made.withLock { $0 += mine }
  }
  let ids = made.withLock { $0 }
  #expect(ids.count == 8 * perThread)
  #expect(Set(ids).count == ids.count)
  // The random part (after the time digits) is not repeated either.
  #expect(Set(ids.map { $0.suffix(11) }).count == ids.count)
}

@Test("ids are the prefix, nine time digits and eleven random characters, in creation order")
func idShape() {
  let first = Identifiers.make("r_")
  let second = Identifiers.make("r_")
  #expect(first.count == 22 && first.hasPrefix("r_"))
  #expect(first.dropFirst(2).allSatisfy { ("0"..."9").contains($0) || ("a"..."z").contains($0) })
  #expect(first != second)
  #expect(String(first.prefix(11)) <= String(second.prefix(11)))
  #expect(Identifiers.make("cust_").count == 25)
}
