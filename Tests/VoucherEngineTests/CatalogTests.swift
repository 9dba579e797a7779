import Foundation
import Testing

@testable import VoucherEngine

private func decodedByFoundation(_ json: String) throws -> Catalog {
  try JSONDecoder().decode(Catalog.self, from: Data(json.utf8))
}

@Test("the quick catalog reader reads the demo file exactly as JSONDecoder does")
func quickDecodeMatchesJSONDecoderOnDemo() throws {
  let data = try Data(contentsOf: try #require(DemoCatalog.locate()))
  let quick = try #require(Catalog.quickDecode(data))
  #expect(quick == (try JSONDecoder().decode(Catalog.self, from: data)))
}

@Test("the quick catalog reader agrees with JSONDecoder on escapes, nulls and decimals")
func quickDecodeMatchesJSONDecoderOnEdges() throws {
  let json = #"""
     { "currency": null, "extra": [1, {"a": [true, false, null]}, -2.5e3],
       "customers": [
         { "source_id": "c\"1\\", "name": "Zo\u00eb \ud83d\ude00 \/ \t\n", "email": null,
           "metadata": { "tier": "gold", "note": "" } },
         { "name": "Åsa 山田" }
       ],
       "vouchers": [
         { "code": "P1", "type": "DISCOUNT_VOUCHER", "active": false,
           "discount": { "type": "PERCENT", "percent_off": 12.5, "amount_limit": -0 },
           "redemption": { "quantity": 9223372036854775807, "per_customer": null },
           "rules": { "applicable_to": ["a", "b"], "inapplicable_to": [] },
           "history": [ { "order": "o1", "date": "now-1d", "items": [
             { "sku": "s", "quantity": 1, "price": 100 } ], "gift_credits": 0 } ],
           "reactivations": [ { "date": "now", "reason": "r" } ] },
         { "code": "P2", "type": "DISCOUNT_VOUCHER",
           "discount": { "type": "PERCENT", "percent_off": 0.05 } },
         { "code": "G1", "type": "GIFT_VOUCHER", "gift": { "amount": 5000 }, "history": null }
       ] }
    """#
  let quick = try #require(Catalog.quickDecode(Data(json.utf8)))
  #expect(quick == (try decodedByFoundation(json)))
}

@Test("anything unusual is left to JSONDecoder, so its errors name the fault as before")
func quickDecodeLeavesUnusualInputToJSONDecoder() throws {
  let unusual = [
    #"{"customers": [], "vouchers": [{"code": "A", "type": "GIFT_VOUCHER", "gift": {"amount": 1.0}}]}"#,
    #"{"customers": [], "vouchers": [{"code": "A", "type": "GIFT_VOUCHER", "gift": {"amount": 1e3}}]}"#,
    #"{"customers": [], "vouchers": [{"type": "GIFT_VOUCHER", "gift": {"amount": 1}}]}"#,
    #"{"customers": [], "vouchers": [{"code": null, "type": "GIFT_VOUCHER"}]}"#,
    #"{"customers": [], "customers": [], "vouchers": []}"#,
    #"{"customers": [], "vouchers": [],}"#,
    #"{"customers": [{"name": "\ud83d"}], "vouchers": []}"#,
    #"{"customers": [{"metadata": {"a": 1}}], "vouchers": []}"#,
    #"{"customers": [], "vouchers": [{"code": "A", "type": "GIFT_VOUCHER", "gift": {"amount": 01}}]}"#,
    #"{"customers": [], "vouchers": []} x"#,
  ]
  for json in unusual {
    #expect(Catalog.quickDecode(Data(json.utf8)) == nil, "\(json)")
  }
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "catalog-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  let file = folder.appendingPathComponent("bad.json")
  try Data(unusual[2].utf8).write(to: file)
  #expect(throws: CatalogError(message: "bad.json: .vouchers[0].code is missing")) {
    try Catalog.load(from: file)
  }
}

@Test("seeding in one transaction makes the same database as seeding step by step")
func oneTransactionSeedMatchesStepwise() throws {
  let catalog = try Catalog.load(from: try #require(DemoCatalog.locate()))
  let stepwise = try makeEngine()
  let single = try makeEngine()
  let loaded = try catalog.apply(to: stepwise, now: Day.now)
  #expect(try catalog.applyInOneTransaction(to: single, now: Day.now) == loaded)
  #expect(try single.counts() == stepwise.counts())
  func summary(_ engine: VoucherEngine) throws -> [String] {
    try engine.listVouchers(limit: 1000).map {
      "\($0.code) \($0.kind) \($0.redeemedQuantity) \($0.reactivationCount) \($0.active) "
        + "\(String(describing: $0.startDate)) \(String(describing: $0.expirationDate)) "
        + "\($0.updatedAt) \(try engine.customer($0.holderId ?? "-")?.sourceId ?? "-")"
    }.sorted()
  }
  #expect(try summary(single) == summary(stepwise))
  #expect(
    try single.events(limit: 10_000).map(\.kind).sorted()
      == stepwise.events(limit: 10_000).map(\.kind).sorted())
}

@Test("seeding in one transaction keeps nothing when one voucher fails")
func oneTransactionSeedIsAllOrNothing() throws {
  let engine = try makeEngine()
  let catalog = try decodedByFoundation(
    #"""
    { "customers": [{ "source_id": "c1", "name": "Alice" }],
      "vouchers": [
        { "code": "OK", "type": "GIFT_VOUCHER", "gift": { "amount": 100 } },
        { "code": "BAD", "type": "GIFT_VOUCHER", "gift": { "amount": 100 }, "customer": "nobody" }
      ] }
    """#)
  #expect(throws: CatalogError.self) { try catalog.applyInOneTransaction(to: engine, now: Day.now) }
  #expect(try engine.isEmpty())
}
