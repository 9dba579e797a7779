import Foundation
import Testing

@testable import VoucherEngine

@Test("a given code is stored in upper case and found however it is typed")
func givenCodeNormalised() throws {
  let engine = try makeEngine()
  let voucher = try engine.createVoucher(percent(10, code: " summer10 "))
  #expect(voucher.code == "SUMMER10")
  #expect(voucher.id.hasPrefix("v_"))
  #expect(try engine.voucher(code: "Summer10\n")?.id == voucher.id)
}

@Test("a code that is taken already is refused as a duplicate")
func duplicateCode() throws {
  let engine = try makeEngine()
  try engine.createVoucher(percent(10, code: "SUMMER10"))
  let reason = refusal { try engine.createVoucher(percent(20, code: "summer10")) }
  #expect(reason == .duplicateCode(code: "SUMMER10"))
  #expect(reason?.key == "duplicate_found")
  #expect(try engine.counts().vouchers == 1)
}

@Test("a code with spaces inside is an invalid payload")
func codeWithSpaces() throws {
  let engine = try makeEngine()
  #expect(isInvalidPayload(refusal { try engine.createVoucher(percent(10, code: "TWO WORDS")) }))
}

@Test(
  "drafts with values out of range are invalid payloads",
  arguments: [
    VoucherDraft(code: "A", kind: .discount(.percent(basisPoints: 0, amountLimit: nil))),
    VoucherDraft(code: "A", kind: .discount(.percent(basisPoints: 10_001, amountLimit: nil))),
    VoucherDraft(code: "A", kind: .discount(.amount(-1))),
    VoucherDraft(code: "A", kind: .gift(amount: 0, balance: 0)),
    VoucherDraft(code: "A", kind: .gift(amount: 100, balance: 200)),
    VoucherDraft(code: "A", kind: .discount(.amount(100)), quantity: 0),
    VoucherDraft(code: "A", kind: .discount(.amount(100)), currency: "KRONOR"),
    VoucherDraft(
      code: "A", kind: .discount(.amount(100)), startDate: Day.endOfYear,
      expirationDate: Day.lastMonth),
  ])
func outOfRangeDrafts(draft: VoucherDraft) throws {
  let engine = try makeEngine()
  #expect(isInvalidPayload(refusal { try engine.createVoucher(draft) }))
}

@Test("a holder that does not exist is refused as customer not found")
func unknownHolder() throws {
  let engine = try makeEngine()
  let reason = refusal { try engine.createVoucher(with(percent(10)) { $0.holder = "ghost" }) }
  #expect(reason == .customerNotFound(reference: "ghost"))
}

@Test("a generated code matches its pattern and uses only the look-alike-free alphabets")
func generatedCodeMatchesPattern() throws {
  let engine = try makeEngine()
  for _ in 0..<20 {
    let voucher = try engine.createVoucher(
      VoucherDraft(codePattern: "SUMMER-####", kind: .discount(.amount(100))))
    #expect(voucher.code.hasPrefix("SUMMER-"))
    let filled = voucher.code.dropFirst("SUMMER-".count)
    #expect(filled.count == 4)
    #expect(filled.allSatisfy { CodePattern.digits.contains($0) })
  }
  let mixed = try engine.createVoucher(
    VoucherDraft(codePattern: "gc-??**", kind: .discount(.amount(100))))
  #expect(mixed.code.hasPrefix("GC-"))
  let tail = Array(mixed.code.dropFirst(3))
  #expect(tail.count == 4)
  #expect(tail.prefix(2).allSatisfy { CodePattern.letters.contains($0) })
  #expect(tail.suffix(2).allSatisfy { (CodePattern.digits + CodePattern.letters).contains($0) })
}

@Test("the code alphabets leave out 0, O, 1, I and L")
func alphabetsHaveNoLookAlikes() {
  let all = CodePattern.digits + CodePattern.letters
  for lookAlike in "0O1IL" {
    #expect(!all.contains(lookAlike))
  }
}

@Test(
  "a pattern knows how many codes it can make",
  arguments: [
    ("X-#", Int64(8)),
    ("?", 23),
    ("*", 31),
    ("VP-####-####", 16_777_216),
    (String(repeating: "*", count: 40), Int64.max),
  ])
func patternCapacity(pattern: String, capacity: Int64) throws {
  #expect(try CodePattern(pattern).capacity == capacity)
}

@Test("a pattern without placeholders is refused")
func patternWithoutPlaceholders() throws {
  #expect(throws: Reason.self) { try CodePattern("FIXED") }
  let engine = try makeEngine()
  let reason = refusal {
    try engine.createVoucher(VoucherDraft(codePattern: "FIXED", kind: .discount(.amount(100))))
  }
  #expect(isInvalidPayload(reason))
}

@Test("a pattern with eight codes makes eight vouchers and then reports no free codes")
func patternExhaustion() throws {
  let engine = try makeEngine()
  var codes = Set<String>()
  for _ in 0..<8 {
    let voucher = try engine.createVoucher(
      VoucherDraft(codePattern: "X-#", kind: .discount(.amount(100))))
    codes.insert(voucher.code)
  }
  #expect(codes == Set(CodePattern.digits.map { "X-\($0)" }))

  let reason = refusal {
    try engine.createVoucher(VoucherDraft(codePattern: "X-#", kind: .discount(.amount(100))))
  }
  guard case .invalidPayload(let text) = reason else {
    Issue.record("expected invalidPayload, got \(String(describing: reason))")
    return
  }
  #expect(text.contains("no free codes"))
}

@Test("updating a voucher changes only the fields named")
func updateVoucher() throws {
  let engine = try makeEngine()
  try engine.createVoucher(with(percent(10, code: "TEN")) { $0.campaign = "Autumn" })
  var changes = VoucherChanges()
  changes.minOrderAmount = .some(5000)
  changes.discount = .percent(basisPoints: 1500, amountLimit: nil)
  changes.expirationDate = .some(Day.endOfYear)
  let updated = try engine.updateVoucher(code: "ten", changes)
  #expect(updated.minOrderAmount == 5000)
  #expect(updated.kind == .discount(.percent(basisPoints: 1500, amountLimit: nil)))
  #expect(updated.campaign == "Autumn")

  let stored = try #require(try engine.voucher(code: "TEN"))
  #expect(stored == updated)
  #expect(stored.expirationDate == Day.endOfYear)

  var clear = VoucherChanges()
  clear.minOrderAmount = .some(nil)
  #expect(try engine.updateVoucher(code: "TEN", clear).minOrderAmount == nil)
}

@Test("an update that breaks a rule is refused and changes nothing")
func invalidUpdate() throws {
  let engine = try makeEngine()
  try engine.createVoucher(giftCard(balance: 1000, code: "GIFT"))
  var changes = VoucherChanges()
  changes.discount = .amount(100)
  #expect(isInvalidPayload(refusal { try engine.updateVoucher(code: "GIFT", changes) }))
  #expect(try engine.voucher(code: "GIFT")?.kind == .gift(amount: 1000, balance: 1000))
  #expect(refusal { try engine.updateVoucher(code: "NOPE", changes) } == .notFound(code: "NOPE"))
}

@Test("a disabled voucher reads DISABLED and an enabled one ACTIVE again")
func disableAndEnable() throws {
  let engine = try makeEngine()
  try engine.createVoucher(percent(10, code: "TEN"))
  let disabled = try engine.setVoucherActive(code: "TEN", false)
  #expect(!disabled.active)
  #expect(disabled.status(at: Day.now) == .disabled)
  let cart = [line("prod_1", 10000)]
  #expect(try validationRefusal(engine, request("TEN", items: cart)) == .voucherDisabled)

  let enabled = try engine.setVoucherActive(code: "TEN", true)
  #expect(enabled.status(at: Day.now) == .active)
  #expect(try validationRefusal(engine, request("TEN", items: cart)) == nil)
  let kinds = try engine.events(subject: enabled.id).map(\.kind)
  #expect(kinds == ["voucher.enabled", "voucher.disabled", "voucher.created"])
}

@Test("a deleted voucher is no longer found but its code stays taken")
func softDelete() throws {
  let engine = try makeEngine()
  try engine.createVoucher(percent(10, code: "TEN"))
  try engine.deleteVoucher(code: "ten")
  #expect(try engine.voucher(code: "TEN") == nil)
  #expect(try engine.counts().vouchers == 0)
  #expect(try engine.listVouchers().isEmpty)
  #expect(
    try validationRefusal(engine, request("TEN", items: [line("prod_1", 100)]))
      == .notFound(code: "TEN"))
  #expect(
    refusal { try engine.createVoucher(percent(10, code: "TEN")) } == .duplicateCode(code: "TEN"))
  #expect(refusal { try engine.deleteVoucher(code: "TEN") } == .notFound(code: "TEN"))
}

@Test("topping up a gift card raises its balance and its loaded amount")
func giftTopUp() throws {
  let engine = try makeEngine()
  try engine.createVoucher(giftCard(balance: 10000, code: "GIFT"))
  _ = try engine.redeem(request("GIFT", items: [line("prod_1", 3000)], order: "sale-1"))
  let topped = try engine.addGiftBalance(code: "gift", amount: 5000)
  #expect(topped.kind == .gift(amount: 15000, balance: 12000))
  #expect(try engine.voucher(code: "GIFT")?.kind == .gift(amount: 15000, balance: 12000))
}

@Test("only a gift card can be topped up, and only by a positive amount")
func giftTopUpRefusals() throws {
  let engine = try makeEngine()
  try engine.createVoucher(percent(10, code: "TEN"))
  try engine.createVoucher(giftCard(balance: 100, code: "GIFT"))
  #expect(isInvalidPayload(refusal { try engine.addGiftBalance(code: "TEN", amount: 100) }))
  #expect(isInvalidPayload(refusal { try engine.addGiftBalance(code: "GIFT", amount: 0) }))
  #expect(
    isInvalidPayload(refusal { try engine.addGiftBalance(code: "GIFT", amount: Money.maximum) }))
  #expect(try engine.voucher(code: "GIFT")?.kind == .gift(amount: 100, balance: 100))
}

@Test("listVouchers pages through live vouchers oldest first")
func listVouchersPages() throws {
  let engine = try makeEngine()
  for code in ["C1", "C2", "C3"] { try engine.createVoucher(percent(10, code: code)) }
  #expect(try engine.listVouchers(limit: 2, page: 1).map(\.code) == ["C1", "C2"])
  #expect(try engine.listVouchers(limit: 2, page: 2).map(\.code) == ["C3"])
}

// MARK: The database file

@Test("a database reopened by a new engine keeps its data")
func reopenKeepsData() throws {
  let path = try makeDatabasePath()
  let clock = ManualClock(Day.now)
  let redemptionId: String
  do {
    let engine = try VoucherEngine(path: path, clock: clock)
    try engine.upsertCustomer(CustomerDraft(sourceId: "c-1", name: "Alice Example"))
    try engine.createVoucher(with(giftCard(balance: 10000, code: "GIFT")) { $0.holder = "c-1" })
    redemptionId =
      try engine.redeem(
        request("GIFT", items: [line("prod_1", 3000)], customer: "c-1", order: "sale-1")
      ).redemption.id
  }

  let reopened = try VoucherEngine(path: path, clock: clock)
  #expect(try reopened.counts() == (customers: 1, vouchers: 1, redemptions: 1))
  #expect(try reopened.voucher(code: "GIFT")?.kind == .gift(amount: 10000, balance: 7000))
  #expect(try reopened.customer("c-1")?.name == "Alice Example")
  #expect(try reopened.redemption(id: redemptionId)?.giftBalanceAfter == 7000)
  let replay = try reopened.redeem(
    request("GIFT", items: [line("prod_1", 3000)], customer: "c-1", order: "sale-1"))
  #expect(replay.isReplay)
  #expect(replay.redemption.id == redemptionId)
}

@Test("a database made by a newer release refuses to open")
func newerSchemaRefused() throws {
  let path = try makeDatabasePath()
  do { _ = try VoucherEngine(path: path) }
  let newer = SQLiteStore.schemaVersion + 1
  let shell = try runSQLiteShell(path, "PRAGMA user_version = \(newer);")
  try #require(shell.status == 0, "sqlite3 failed: \(shell.output)")

  #expect(throws: StoreError.newerSchema(found: newer, supported: SQLiteStore.schemaVersion)) {
    try VoucherEngine(path: path)
  }
}

@Test("a file that is not a database refuses to open")
func notADatabase() throws {
  let path = try makeDatabasePath()
  try Data("this is not sqlite, just text that is long enough to fill a header".utf8)
    .write(to: URL(fileURLWithPath: path))
  #expect {
    try VoucherEngine(path: path)
  } throws: { error in
    guard case .cannotOpen = error as? StoreError else { return false }
    return true
  }
}
