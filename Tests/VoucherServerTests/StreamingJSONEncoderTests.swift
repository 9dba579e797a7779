import Foundation
import Testing
import VoucherAPI
import VoucherEngine

// MARK: Helpers

/// `data` parsed and written again with sorted keys: equal texts mean equal JSON values.
private func canonical(_ data: Data) throws -> String {
  let object = try JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
  let sorted = try JSONSerialization.data(
    withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
  return String(decoding: sorted, as: UTF8.self)
}

/// The streamed text of `value`, after checking it is valid JSON, compact, and means what
/// `JSONEncoder` (as the API configured it) writes.
@discardableResult
private func expectSameAsJSONEncoder<T: Encodable>(
  _ value: T, sourceLocation: SourceLocation = #_sourceLocation
) throws -> String {
  let streamed = try StreamingJSONEncoder().encode(value)
  let reference = try WireFormat.encoder().encode(value)
  let text = String(decoding: streamed, as: UTF8.self)
  #expect(
    try canonical(streamed) == canonical(reference), "\(text)", sourceLocation: sourceLocation)
  // What the server sends: the hot types write themselves, the rest stream.
  let sent = WireFormat.encode(value)
  #expect(
    try canonical(sent) == canonical(reference), "\(String(decoding: sent, as: UTF8.self))",
    sourceLocation: sourceLocation)
  return text
}

private func text<T: Encodable>(_ value: T) throws -> String {
  String(decoding: try StreamingJSONEncoder().encode(value), as: UTF8.self)
}

/// A request body as a client sends it, read as the server reads it (`JSONValue` and
/// `JSONValueDecoder`), which must agree with `JSONDecoder`.
private func decoded<T: Decodable & Equatable>(
  _ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> T {
  let reference = try JSONDecoder().decode(type, from: Data(json.utf8))
  let served = try JSONValueDecoder().decode(type, from: JSONValue.parse(Data(json.utf8)))
  #expect(served == reference, sourceLocation: sourceLocation)
  return served
}

// MARK: Realistic engine values, as the server gets them

/// Shared with the hand-written writers' tests.
enum Sample {
  static let created = Date(timeIntervalSince1970: 1_730_000_000.123)
  static let later = Date(timeIntervalSince1970: 1_731_000_000.5)
  /// Every JSON type, nested, as metadata may be.
  static let metadata: JSONValue = [
    "note": "Åsa 山田 é \"VIP\" \\ back/slash\nline\ttab\u{1}", "empty": "", "url": "/v1/x",
    "visits": 3, "vip": true, "score": .number("4.5"), "tags": ["gold", 7, .null],
    "prefs": ["newsletter": false, "channels": ["sms"]], "retired": .null,
  ]

  static func voucher(_ code: String, kind: VoucherKind, holder: String? = nil) -> Voucher {
    var voucher = Voucher.restored(
      id: "v_" + code, code: code, campaign: holder == nil ? nil : "Spring", kind: kind,
      currency: "SEK", holderId: holder, startDate: holder == nil ? nil : created,
      expirationDate: holder == nil ? nil : later, active: true, quantity: holder == nil ? nil : 3,
      redeemedQuantity: 1, perCustomer: holder == nil ? nil : 2,
      minOrderAmount: holder == nil ? nil : 10_000, applicableTo: holder == nil ? [] : ["sku-1"],
      inapplicableTo: [], reactivationLimit: 3, reactivationCount: 1,
      metadata: holder == nil ? .emptyObject : metadata, createdAt: created, updatedAt: later)
    if holder != nil {
      voucher.validity = ValidityRules(
        daysOfWeek: [1, 5],
        hours: [ValidityRules.DailyWindow(startMinute: 540, endMinute: 1020, daysOfWeek: [1])],
        timeframe: ValidityRules.Timeframe(interval: "P2D", duration: "PT8H"))
      voucher.aggregatedAmountLimit = 4_000
      voucher.category = "spring"
      voucher.categoryId = "cat_1"
      voucher.campaignId = "camp_1"
      voucher.additionalInfo = "front desk"
    }
    return voucher
  }

  static let percent = voucher(
    "SPRING-12", kind: .discount(.percent(basisPoints: 1250, amountLimit: 5_000)),
    holder: "cust_1")
  static let penny = voucher("PENNY", kind: .discount(.percent(basisPoints: 1, amountLimit: nil)))
  static let amount = voucher("TENOFF", kind: .discount(.amount(1_000)))
  static let fixed = voucher("FIXED", kind: .discount(.fixed(9_900)))
  static let gift = voucher("GIFT-1", kind: .gift(amount: 50_000, balance: 12_345))

  static let customer = Customer(
    id: "cust_1", sourceId: "shop-42", name: "Åsa Yamada 山田", email: "asa@example.com",
    phone: "+46701234567", memberNumber: nil, metadata: metadata, description: "Regular",
    address: ["city": "Malmö", "country": "SE"], birthdate: "1980-05-17", createdAt: created,
    updatedAt: later)

  static let items = [
    CartItem(sku: "sku-1", quantity: 2, price: 12_500),
    CartItem(sku: "sku/2", quantity: 1, price: 0),
  ]
  static let request = RedemptionRequest(
    codes: [CodeRequest("SPRING-12"), CodeRequest("GIFT-1", giftCredits: 2_000)],
    customer: "cust_1", orderSourceId: "order-7", items: items,
    channel: Channel(terminal: "till-02", cashier: "Bo"))

  static let order = RedeemedOrder.restored(
    id: "ord_1", sourceId: "order-7", amount: 25_000, discountAmount: 3_125, giftCredits: 2_000,
    totalAmount: 19_875, items: items)

  static func redemption(
    _ id: String, voucher: Voucher?, children: [Redemption] = [], giftBalance: Int64? = nil
  ) -> Redemption {
    Redemption.restored(
      id: id, parentId: children.isEmpty && voucher != nil ? "r_parent" : nil,
      voucherId: voucher?.id, voucherCode: voucher?.code,
      customerId: voucher == nil ? nil : "cust_1", order: order, amount: 3_125,
      status: .succeeded, channel: Channel(terminal: "till-02", cashier: "Bo"), date: created,
      giftBalanceAfter: giftBalance, rollbackId: nil, children: children)
  }

  static let stacked = redemption(
    "r_parent", voucher: nil,
    children: [
      redemption("r_1", voucher: percent), redemption("r_2", voucher: gift, giftBalance: 10_345),
    ])

  static let rollback = Rollback.restored(
    id: "rr_1", redemptionId: "r_1", voucherId: "v_SPRING-12", voucherCode: "SPRING-12",
    amount: 3_125, reason: "Customer \"changed\" mind", by: nil, date: later,
    reactivationsLeft: 2)

  static let validation = ValidationResult.restored(
    valid: false,
    redeemables: [
      RedeemableResult.restored(
        code: "SPRING-12", voucher: percent, status: .active, refusal: nil, discount: 3_125,
        giftCredits: 0),
      RedeemableResult.restored(
        code: "GIFT-1", voucher: gift, status: .active, refusal: nil, discount: 0,
        giftCredits: 2_000),
      RedeemableResult.restored(
        code: "OLD", voucher: fixed, status: .expired, refusal: .voucherExpired(expiredAt: later),
        discount: 0, giftCredits: 0),
      RedeemableResult.restored(
        code: "NOPE", voucher: nil, status: nil, refusal: .notFound(code: "NOPE"), discount: 0,
        giftCredits: 0),
    ],
    orderAmount: 25_000, discountAmount: 3_125, giftCredits: 2_000, totalAmount: 19_875,
    customer: customer, currency: "SEK")

  static let page = VoucherPage.restored(
    items: [
      ListedVoucher.restored(voucher: percent, status: .active),
      ListedVoucher.restored(voucher: gift, status: .noBalance),
    ],
    counts: [.available: 1, .all: 2], total: 2, page: 1, limit: 50)
}

// MARK: Every wire type

@Suite("Streaming JSON encoder")
struct StreamingJSONEncoderTests {
  @Test func errorsAndHealth() throws {
    try expectSameAsJSONEncoder(
      APIError(Refusal(code: "OLD", reason: .voucherExpired(expiredAt: Sample.later))))
    try expectSameAsJSONEncoder(
      APIError(Refusal(code: nil, reason: .quantityExceeded(lastUse: nil))))
    var unauthorized = APIError.unauthorized
    unauthorized.requestId = "req-1"
    try expectSameAsJSONEncoder(unauthorized)
    try expectSameAsJSONEncoder(APIError.invalidPayload("order.items[0] needs a \"price\""))
    try expectSameAsJSONEncoder(WireHealth(status: "ok", schemaVersion: 7))
  }

  @Test func customers() throws {
    let customer = WireCustomer(Sample.customer)
    try expectSameAsJSONEncoder(customer)
    try expectSameAsJSONEncoder(customer.summary)
    try expectSameAsJSONEncoder(customer.summary?.redemptions)
    try expectSameAsJSONEncoder(customer.summary?.redemptions.gift)
    try expectSameAsJSONEncoder(customer.summary?.redemptions.loyaltyCard)
    try expectSameAsJSONEncoder(customer.summary?.orders)
    try expectSameAsJSONEncoder(customer.loyalty)
    try expectSameAsJSONEncoder(customer.referrals)
    var bare = customer
    (bare.summary, bare.loyalty, bare.referrals, bare.updatedAt) = (nil, nil, nil, nil)
    try expectSameAsJSONEncoder(bare)
    try expectSameAsJSONEncoder(WireCustomerList(customers: [customer, bare], total: 2))
    try expectSameAsJSONEncoder(WireCustomerList(customers: [], total: 0))
    try expectSameAsJSONEncoder(WireCustomerReference(reference: "asa@example.com"))
    try expectSameAsJSONEncoder(WireCustomerReference(reference: "cust_1"))
    try expectSameAsJSONEncoder(
      try decoded(
        WireCustomerCreate.self,
        #"{"source_id":"s1","name":"Bo","metadata":{"tier":"gold"},"member_number":"M1"}"#))
  }

  @Test func ordersAndRequests() throws {
    try expectSameAsJSONEncoder(WireOrderItem(Sample.items[0]))
    try expectSameAsJSONEncoder(WireOrder(Sample.order, customerId: "cust_1"))
    try expectSameAsJSONEncoder(WireOrder(Sample.order, customerId: nil))
    try expectSameAsJSONEncoder(WireOrder(Sample.validation, request: Sample.request))
    let request = WireRedemptionRequest(Sample.request)
    try expectSameAsJSONEncoder(request)
    try expectSameAsJSONEncoder(request.redeemables[1])
    try expectSameAsJSONEncoder(request.redeemables[1].gift)
    try expectSameAsJSONEncoder(request.channel)
    try expectSameAsJSONEncoder(
      WireRedemptionRequest(RedemptionRequest(codes: [CodeRequest("A")], items: Sample.items)))
  }

  @Test func redemptionsAndRollbacks() throws {
    let single = WireRedemption(Sample.redemption("r_1", voucher: Sample.percent))
    try expectSameAsJSONEncoder(single)
    try expectSameAsJSONEncoder(single.voucher)
    try expectSameAsJSONEncoder(single.customer)
    try expectSameAsJSONEncoder(single.channel)
    let stacked = WireRedemption(Sample.stacked)
    try expectSameAsJSONEncoder(stacked)
    try expectSameAsJSONEncoder(stacked.relatedRedemptions)
    try expectSameAsJSONEncoder(stacked.relatedRedemptions?.redemptions[1].gift)
    try expectSameAsJSONEncoder(
      WireRedeemResponse(RedeemOutcome.restored(redemption: Sample.stacked, isReplay: true)))
    try expectSameAsJSONEncoder(
      WireRedeemResponse(
        RedeemOutcome.restored(
          redemption: Sample.redemption("r_1", voucher: Sample.gift, giftBalance: 0),
          isReplay: false)))
    try expectSameAsJSONEncoder(WireRedemptionList([Sample.stacked, Sample.stacked.children[0]]))
    try expectSameAsJSONEncoder(WireRedemptionList([]))
    try expectSameAsJSONEncoder(
      WireVoucherRedemptions(voucher: Sample.percent, redemptions: Sample.stacked.children))
    try expectSameAsJSONEncoder(WireVoucherRedemptions(voucher: Sample.amount, redemptions: []))
    var rollback = WireRollback(
      Sample.rollback, redemption: Sample.stacked.children[0], isGift: false)
    try expectSameAsJSONEncoder(rollback)
    rollback.rollbacks = [
      WireRollback(Sample.rollback, redemption: nil, isGift: true), rollback,
    ]
    try expectSameAsJSONEncoder(rollback)
  }

  @Test func validations() throws {
    let validation = WireValidation(Sample.validation, request: Sample.request)
    try expectSameAsJSONEncoder(validation)
    try expectSameAsJSONEncoder(validation.stackingRules)
    for entry in validation.redeemables {
      try expectSameAsJSONEncoder(entry)
      try expectSameAsJSONEncoder(entry.result)
    }
    try expectSameAsJSONEncoder(validation.redeemables[1].result.gift)
    try expectSameAsJSONEncoder(WireRedeemableOutcome?.none)
  }

  @Test func vouchers() throws {
    for voucher in [Sample.percent, Sample.penny, Sample.amount, Sample.fixed, Sample.gift] {
      let wire = WireVoucher(voucher, status: .active)
      try expectSameAsJSONEncoder(wire)
      try expectSameAsJSONEncoder(wire.discount)
      try expectSameAsJSONEncoder(wire.gift)
      try expectSameAsJSONEncoder(wire.redemption)
      try expectSameAsJSONEncoder(wire.reactivation)
      try expectSameAsJSONEncoder(wire.rules)
    }
    try expectSameAsJSONEncoder(WireVoucher(Sample.gift, status: nil))
    let vouchers = [Sample.percent, Sample.gift].map { WireVoucher($0, status: .active) }
    try expectSameAsJSONEncoder(
      WireVoucherList(vouchers: vouchers, total: 2, page: 1, limit: 50, counts: ["all": 2]))
    try expectSameAsJSONEncoder(
      WireVoucherList(vouchers: [], total: 0, page: nil, limit: nil, counts: nil))
    let holder = WireCustomerRedeemableList(Sample.page, customerId: "cust_1")
    try expectSameAsJSONEncoder(holder)
    try expectSameAsJSONEncoder(holder.data[0])
    try expectSameAsJSONEncoder(holder.data[0].redeemable)
    let balance = WireBalance(added: 500, voucher: Sample.gift)
    try expectSameAsJSONEncoder(balance)
    try expectSameAsJSONEncoder(balance.relatedObject)
    try expectSameAsJSONEncoder(WireBalance(added: 1, voucher: Sample.amount))
  }

  @Test func requestBodies() throws {
    let create = try decoded(
      WireVoucherCreate.self,
      """
      {"code":"NEW-1","code_config":{"pattern":"NEW-####"},"type":"DISCOUNT_VOUCHER",
       "campaign":"Spring","discount":{"type":"PERCENT","percent_off":12.5,"amount_limit":500},
       "gift":{"amount":1000,"effect":"APPLY_TO_ORDER"},"start_date":"2025-01-01T00:00:00Z",
       "active":false,"redemption":{"quantity":3,"per_customer":1},"metadata":{"a":"b"},
       "customer":{"source_id":"s1"},"currency":"SEK","reactivation":{"limit":2},
       "rules":{"min_order_amount":100,"applicable_to":["x"],"inapplicable_to":[]}}
      """)
    try expectSameAsJSONEncoder(create)
    try expectSameAsJSONEncoder(create.codeConfig)
    try expectSameAsJSONEncoder(create.gift)
    try expectSameAsJSONEncoder(create.redemption)
    try expectSameAsJSONEncoder(create.reactivation)
    try expectSameAsJSONEncoder(try decoded(WireVoucherCreate.self, "{}"))
    try expectSameAsJSONEncoder(try decoded(WireBalanceRequest.self, #"{"amount":-250}"#))
    try expectSameAsJSONEncoder(WireReactivateRequest(reason: "Läst fel", by: "Bo"))
    try expectSameAsJSONEncoder(WireReactivateRequest())
    try expectSameAsJSONEncoder(
      try decoded(WireChannelInput.self, #"{"terminal":"till-02","cashier":"Bo"}"#))
  }

  // MARK: Output form

  @Test func keysInDeclarationOrderCompact() throws {
    #expect(
      try text(WireHealth(status: "ok", schemaVersion: 7)) == #"{"status":"ok","schema_version":7}"#
    )
    #expect(
      String(decoding: WireFormat.encode(WireReactivateRequest(reason: "x")), as: UTF8.self)
        == #"{"reason":"x"}"#)
    #expect(String(decoding: WireFormat.encode(WireReactivateRequest()), as: UTF8.self) == "{}")
  }

  @Test func escaping() throws {
    let strings = [
      "say \"hi\"", #"back\slash"#, "new\nline", "tab\there", "\u{1}\u{1F}\u{7F}", "Åsa 山田 é",
      "/v1/vouchers/A/B", "\r\u{8}\u{C}", "", "😀\u{2028}",
    ]
    let output = try expectSameAsJSONEncoder(strings)
    #expect(
      output
        == #"["say \"hi\"","back\\slash","new\nline","tab\there","\u0001\u001f"#
        + "\u{7F}\",\"Åsa 山田 é\",\"/v1/vouchers/A/B\",\"\\r\\b\\f\",\"\",\"😀\u{2028}\"]")
    let decodedBack = try JSONDecoder().decode([String].self, from: Data(output.utf8))
    #expect(decodedBack == strings)
    try expectSameAsJSONEncoder(["key \"q\"\n/é": "v\\"])
  }

  @Test func numbers() throws {
    #expect(
      try text([Int64.max, Int64.min, 0, -1]) == "[9223372036854775807,-9223372036854775808,0,-1]")
    #expect(try text([UInt64.max]) == "[18446744073709551615]")
    #expect(try text(Int8.min) == "-128")
    try expectSameAsJSONEncoder(Numbers())
    #expect(
      try text([Decimal(string: "12.5")!, Decimal(string: "0.01")!, 100, -3])
        == "[12.5,0.01,100,-3]")
    #expect(try text(WireFormat.percent(basisPoints: 1250)) == "12.5")
    try expectSameAsJSONEncoder([
      1.0, 0.1, 1e20, 1e-7, -0.0, 123_456_789.125, .leastNonzeroMagnitude,
    ])
    try expectSameAsJSONEncoder([Float(0.1), 1, 3.4e38])
    #expect(try text([1.0, 0.5]) == "[1,0.5]")
    for bad in [Double.nan, .infinity, -.infinity] {
      #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(["x": bad]) }
    }
    #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode([Float.nan]) }
    #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(Decimal.nan) }
  }

  @Test func collectionsAndNil() throws {
    #expect(try text(Empty()) == "{}")
    #expect(try text([Empty(), Empty()]) == "[{},{}]")
    #expect(try text([String]()) == "[]")
    #expect(try text([String: String]()) == "{}")
    #expect(try text([[Int]]([[], [1], []])) == "[[],[1],[]]")
    #expect(try text(Optional<Int>.none) == "null")
    try expectSameAsJSONEncoder([["a": [Empty()]], [:]])
    try expectSameAsJSONEncoder([2: "b", 1: "a"] as [Int: String])
    try expectSameAsJSONEncoder([1.5: 1] as [Double: Int])
    try expectSameAsJSONEncoder(["x": nil, "y": 1] as [String: Int?])
    // Optional absent, NullEncoded written as null.
    var customer = WireCustomer(Sample.customer)
    customer.updatedAt = nil
    customer.email = nil
    let object = try JSONSerialization.jsonObject(with: StreamingJSONEncoder().encode(customer))
    let dictionary = try #require(object as? [String: Any])
    #expect(dictionary["updated_at"] == nil)
    #expect(dictionary["email"] is NSNull)
    #expect(dictionary["member_number"] is NSNull)
    let metadata = try #require(dictionary["metadata"] as? [String: Any])
    #expect(metadata["visits"] as? Int == 3)
    #expect(metadata["retired"] is NSNull)
    #expect((metadata["prefs"] as? [String: Any])?["channels"] as? [String] == ["sms"])
    try expectSameAsJSONEncoder(Foundations())
  }

  // MARK: Containers used unusually

  @Test func containersRequestedLazilyAndAgain() throws {
    #expect(try text(Merged()) == #"{"a":1,"b":"two","c":[true,null]}"#)
    try expectSameAsJSONEncoder(Merged())
    #expect(try text([Merged(), Merged()]).hasPrefix(#"[{"a":1,"#))
    try expectSameAsJSONEncoder(Subclass())
    #expect(try text(Subclass()) == #"{"own":2,"base":1}"#)
    try expectSameAsJSONEncoder(Wrapper(inner: Merged()))
    try expectSameAsJSONEncoder(NestedInOrder())
    #expect(try text(NestedInOrder()) == #"{"a":{"x":1,"y":[1,{"z":2}]},"b":[[3],{}],"c":4}"#)
    try expectSameAsJSONEncoder(SuperEncoders())
    try expectSameAsJSONEncoder(UnkeyedSuper())
  }

  @Test func outOfOrderWritesFallBack() throws {
    try expectSameAsJSONEncoder(Interleaved())
    try expectSameAsJSONEncoder(KeptSuperEncoder())
    try expectSameAsJSONEncoder(DuplicateKey())
    let object = try JSONSerialization.jsonObject(
      with: StreamingJSONEncoder().encode(DuplicateKey()))
    #expect(object as? [String: Int] == ["a": 2, "b": 3])
    try expectSameAsJSONEncoder(CaughtChildError())
    try expectSameAsJSONEncoder(CaughtNaN())
    #expect(try text(CaughtNaN()) == #"{"b":1}"#)
  }

  @Test func refusals() throws {
    #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(Nothing()) }
    #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(TwoValues()) }
    #expect(throws: EncodingError.self) { try StreamingJSONEncoder().encode(ScalarThenKeyed()) }
    #expect(try expectSameAsJSONEncoder(["a": [Nothing()]]) == #"{"a":[{}]}"#)
    #expect(WireFormat.encode(Nothing()) == Data("{}".utf8))
  }
}

// MARK: Test types

private enum Key: String, CodingKey { case a, b, c, x, y, z, own, base }

private struct Empty: Encodable {}

private struct Numbers: Encodable {
  var int = Int.min
  var int8 = Int8.max
  var int16 = Int16.min
  var int32 = Int32.max
  var int64 = Int64.min
  var uint = UInt.max
  var uint8 = UInt8.max
  var uint16 = UInt16.max
  var uint32 = UInt32.max
  var uint64 = UInt64.max
  var double = 2.5
  var float: Float = -0.25
  var decimal = Decimal(string: "0.01")!
  var bool = false
}

/// Types `JSONEncoder` writes itself rather than through their own `encode(to:)`.
private struct Foundations: Encodable {
  var date = Date(timeIntervalSinceReferenceDate: 1.5)
  var data = Data([0, 1, 2, 255])
  var url = URL(string: "https://example.com/a%20b?c=/d")!
  var decimals: [String: Decimal] = ["p": 12.5, "q": Decimal(string: "0.01")!]
}

/// Asks for its keyed container twice, between values.
private struct Merged: Encodable {
  func encode(to encoder: any Encoder) throws {
    var first = encoder.container(keyedBy: Key.self)
    try first.encode(1, forKey: .a)
    var second = encoder.container(keyedBy: Key.self)
    try second.encode("two", forKey: .b)
    var list = first.nestedUnkeyedContainer(forKey: .c)
    try list.encode(true)
    try list.encodeNil()
  }
}

private class Base: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    try container.encode(1, forKey: .base)
  }
}

/// The usual subclass pattern: own keys, then the superclass into the same encoder.
private final class Subclass: Base {
  override func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    try container.encode(2, forKey: .own)
    try super.encode(to: encoder)
  }
}

/// Hands its encoder to another value through a single value container.
private struct Wrapper: Encodable {
  var inner: Merged
  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(inner)
  }
}

/// Nested containers, each finished before its parent goes on.
private struct NestedInOrder: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    var a = container.nestedContainer(keyedBy: Key.self, forKey: .a)
    try a.encode(1, forKey: .x)
    var y = a.nestedUnkeyedContainer(forKey: .y)
    try y.encode(1)
    var z = y.nestedContainer(keyedBy: Key.self)
    try z.encode(2, forKey: .z)
    var b = container.nestedUnkeyedContainer(forKey: .b)
    var inner = b.nestedUnkeyedContainer()
    try inner.encode(3)
    _ = b.nestedContainer(keyedBy: Key.self)
    try container.encode(4, forKey: .c)
  }
}

/// Super encoders used at once, and one never used (`{}`, as `JSONEncoder` writes).
private struct SuperEncoders: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    try Base().encode(to: container.superEncoder())
    try container.encode(1, forKey: .a)
    _ = container.superEncoder(forKey: .b)
    try Merged().encode(to: container.superEncoder(forKey: .c))
  }
}

private struct UnkeyedSuper: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.unkeyedContainer()
    try Base().encode(to: container.superEncoder())
    try container.encode("after")
  }
}

/// A nested container written after its parent moved on.
private struct Interleaved: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    var nested = container.nestedContainer(keyedBy: Key.self, forKey: .a)
    try container.encode(1, forKey: .b)
    try nested.encode(2, forKey: .x)
    var list = container.nestedUnkeyedContainer(forKey: .c)
    try container.encode(3, forKey: .y)
    try list.encode(4)
  }
}

/// A super encoder kept and written after its parent went on.
private struct KeptSuperEncoder: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    let kept = container.superEncoder(forKey: .a)
    try container.encode(1, forKey: .b)
    try Merged().encode(to: kept)
  }
}

private struct DuplicateKey: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    try container.encode(1, forKey: .a)
    try container.encode(3, forKey: .b)
    try container.encode(2, forKey: .a)
  }
}

private struct Failing: Encodable {
  struct Failure: Error {}
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    try container.encode(1, forKey: .x)
    throw Failure()
  }
}

/// A nested value that fails after writing part of itself, its error caught by the parent.
private struct CaughtChildError: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    try? container.encode(Failing(), forKey: .a)
    try container.encode(1, forKey: .b)
  }
}

private struct CaughtNaN: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Key.self)
    try? container.encode(Double.nan, forKey: .a)
    try container.encode(1, forKey: .b)
  }
}

private struct Nothing: Encodable {
  func encode(to encoder: any Encoder) throws {}
}

private struct TwoValues: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(1)
    try container.encode(2)
  }
}

private struct ScalarThenKeyed: Encodable {
  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(1)
    var keyed = encoder.container(keyedBy: Key.self)
    try keyed.encode(2, forKey: .a)
  }
}
