import Foundation
import Testing

@testable import VoucherEngine

@Test("upserting the same source id updates the customer instead of adding one")
func upsertBySourceId() throws {
  let engine = try makeEngine()
  let created = try engine.upsertCustomer(CustomerDraft(sourceId: "shop-1", name: "Alice"))
  let updated = try engine.upsertCustomer(
    CustomerDraft(sourceId: "shop-1", email: "alice@example.com"))
  #expect(updated.id == created.id)
  #expect(updated.name == "Alice")
  #expect(updated.email == "alice@example.com")
  #expect(try engine.counts().customers == 1)
  #expect(try engine.customer("shop-1") == updated)
}

@Test("emails are compared without regard to case")
func emailCaseInsensitive() throws {
  let engine = try makeEngine()
  let created = try engine.upsertCustomer(CustomerDraft(email: "Alice@Example.com"))
  let again = try engine.upsertCustomer(CustomerDraft(name: "Alice", email: "alice@EXAMPLE.com"))
  #expect(again.id == created.id)
  #expect(try engine.counts().customers == 1)
  #expect(try engine.customer("ALICE@example.COM")?.id == created.id)
}

@Test("an email that belongs to another customer is an invalid payload")
func emailOwnedByAnother() throws {
  let engine = try makeEngine()
  try engine.upsertCustomer(CustomerDraft(sourceId: "a", email: "shared@example.com"))
  let reason = refusal {
    try engine.upsertCustomer(CustomerDraft(sourceId: "b", email: "SHARED@example.com"))
  }
  #expect(isInvalidPayload(reason))
  #expect(try engine.counts().customers == 1)
}

@Test("a malformed email or phone is an invalid payload")
func malformedContactDetails() throws {
  let engine = try makeEngine()
  #expect(isInvalidPayload(refusal { try engine.upsertCustomer(CustomerDraft(email: "nope")) }))
  #expect(isInvalidPayload(refusal { try engine.upsertCustomer(CustomerDraft(phone: "12")) }))
  #expect(isInvalidPayload(refusal { try engine.upsertCustomer(CustomerDraft(name: "  ")) }))
  #expect(try engine.counts().customers == 0)
}

@Test("a phone number is stored in E.164")
func phoneStoredNormalised() throws {
  let engine = try makeEngine()
  let customer = try engine.upsertCustomer(
    CustomerDraft(sourceId: "c-1", phone: "070-123 45 67"))
  #expect(customer.phone == "+46701234567")
}

@Test(
  "phone numbers are normalised however they were typed",
  arguments: [
    ("070-123 45 67", "+46701234567"),
    ("0701234567", "+46701234567"),
    ("0046 70 123 45 67", "+46701234567"),
    ("+46 70 123 45 67", "+46701234567"),
    ("(070) 123.45.67", "+46701234567"),
  ])
func phoneNormalisation(typed: String, expected: String) {
  #expect(ContactText.normalizePhone(typed) == expected)
}

@Test("text that is not a phone number does not normalise", arguments: ["12", "abc", "070-12x"])
func phoneRejected(typed: String) {
  #expect(ContactText.normalizePhone(typed) == nil)
}

// MARK: Search

private func seededEngine() throws -> VoucherEngine {
  let engine = try makeEngine()
  try engine.upsertCustomer(CustomerDraft(sourceId: "c-1", name: "Anna Lindqvist"))
  try engine.upsertCustomer(CustomerDraft(sourceId: "c-2", name: "Bo Lindqvist"))
  try engine.upsertCustomer(
    CustomerDraft(
      sourceId: "c-3", name: "Åsa Öberg", email: "asa@example.se", phone: "070-123 45 67"))
  try engine.upsertCustomer(
    CustomerDraft(sourceId: "c-4", name: "Alice Example", memberNumber: "M-1001"))
  try engine.upsertCustomer(CustomerDraft(sourceId: "c-5", name: "Alicia Keys"))
  return engine
}

@Test(
  "customers are found by the start of any word of their name",
  arguments: [
    ("lind", ["Anna Lindqvist", "Bo Lindqvist"]),
    ("LINDQ", ["Anna Lindqvist", "Bo Lindqvist"]),
    ("asa", ["Åsa Öberg"]),
    ("åsa", ["Åsa Öberg"]),
    ("öb", ["Åsa Öberg"]),
    ("ali ex", ["Alice Example"]),
    ("ali", ["Alice Example", "Alicia Keys"]),
    ("anna lind", ["Anna Lindqvist"]),
    ("zed", []),
  ])
func findByNamePrefix(query: String, names: [String]) throws {
  let engine = try seededEngine()
  let found = try engine.findCustomers(query)
  #expect(Set(found.compactMap(\.name)) == Set(names))
  #expect(found.count == names.count)
}

@Test(
  "customers are found by email, phone, member number and source id",
  arguments: [
    "asa@example.se", "ASA@EXAMPLE.SE", "0701234567", "+46 70 123 45 67", "M-1001", "m-1001",
    "c-4",
  ])
func findByIdentifiers(query: String) throws {
  let engine = try seededEngine()
  let found = try engine.findCustomers(query)
  let expected =
    query.lowercased().hasPrefix("m-") || query == "c-4" ? "Alice Example" : "Åsa Öberg"
  #expect(found.map(\.name) == [expected])
}

@Test("a blank query finds nobody")
func blankQuery() throws {
  let engine = try seededEngine()
  #expect(try engine.findCustomers("   ").isEmpty)
}

@Test("findCustomers returns at most the limit")
func findLimit() throws {
  let engine = try seededEngine()
  #expect(try engine.findCustomers("lind", limit: 1).count == 1)
}

// MARK: A customer's vouchers

@Test("a customer's vouchers are counted per tab and paged")
func vouchersOfCustomer() throws {
  let clock = ManualClock(Day.now)
  let engine = try makeEngine(clock: clock)
  try engine.upsertCustomer(CustomerDraft(sourceId: "c-1", name: "Alice Example"))
  for code in ["A1", "A2", "A3"] {
    try engine.createVoucher(with(percent(10, code: code)) { $0.holder = "c-1" })
  }
  try engine.createVoucher(
    with(percent(10, code: "USED")) {
      $0.holder = "c-1"
      $0.quantity = 1
    })
  try engine.createVoucher(
    with(percent(10, code: "OLD")) {
      $0.holder = "c-1"
      $0.expirationDate = Day.lastMonth
    })
  try engine.createVoucher(
    with(percent(10, code: "OFFLINE")) {
      $0.holder = "c-1"
      $0.active = false
    })
  try engine.createVoucher(
    with(percent(10, code: "SOON")) {
      $0.holder = "c-1"
      $0.startDate = Day.endOfYear
    })
  try engine.createVoucher(percent(10, code: "SOMEONE-ELSES"))
  _ = try engine.redeem(request("USED", items: [line("p", 1000)], customer: "c-1", order: "s1"))

  let available = try engine.vouchers(of: "c-1", filter: .available, page: 1, limit: 2)
  #expect(available.counts == [.available: 3, .redeemed: 1, .expired: 1, .all: 7])
  #expect(available.total == 3)
  #expect(available.items.map(\.voucher.code) == ["A1", "A2"])
  #expect(available.items.allSatisfy { $0.status == .active })

  let secondPage = try engine.vouchers(of: "c-1", filter: .available, page: 2, limit: 2)
  #expect(secondPage.items.map(\.voucher.code) == ["A3"])
  #expect(secondPage.page == 2)

  let redeemed = try engine.vouchers(of: "c-1", filter: .redeemed)
  #expect(redeemed.items.map(\.voucher.code) == ["USED"])
  #expect(redeemed.items.map(\.status) == [.used])

  let expired = try engine.vouchers(of: "c-1", filter: .expired)
  #expect(expired.items.map(\.voucher.code) == ["OLD"])

  let all = try engine.vouchers(of: "c-1", filter: .all)
  #expect(all.total == 7)
  #expect(Set(all.items.map(\.status)) == [.active, .used, .expired, .disabled, .notActiveYet])
}

@Test("the vouchers of an unknown customer are refused as not found")
func vouchersOfUnknownCustomer() throws {
  let engine = try makeEngine()
  #expect(refusal { try engine.vouchers(of: "ghost") } == .customerNotFound(reference: "ghost"))
}
