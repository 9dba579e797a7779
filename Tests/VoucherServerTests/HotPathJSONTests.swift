import Foundation
import Testing
import VoucherEngine

@testable import VoucherAPI
@testable import VoucherServer

// The validation route's hand-written readers and writers must say exactly what the general
// ones say: these compare them byte for byte and value for value.

private func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

/// What `JSONOutput` writes for `value`.
private func written(_ value: some JSONWritable) -> String {
  var json = JSONOutput()
  value.writeJSON(to: &json)
  return text(json.data())
}

/// A voucher with every optional left out, and dates that take the slow paths.
private func bareVoucher(_ code: String, kind: VoucherKind, created: Date) -> Voucher {
  Voucher.restored(
    id: "v_" + code, code: code, campaign: nil, kind: kind, currency: "EUR", holderId: nil,
    startDate: Date(timeIntervalSince1970: -1), expirationDate: nil, active: false,
    quantity: nil, redeemedQuantity: 0, perCustomer: nil, minOrderAmount: nil,
    applicableTo: [], inapplicableTo: ["a\"b", "山"], reactivationLimit: 0,
    reactivationCount: 0, metadata: ["only": "one"], createdAt: created, updatedAt: created)
}

@Suite("Hot-path JSON: the validation route's own reader and writer")
struct HotPathJSONTests {
  @Test("a validation answer written from the engine's result is the wire type's, byte for byte")
  func validationAnswer() {
    let farFuture = Date(timeIntervalSince1970: 253_402_300_800)  // year 10000
    let customer = Customer(
      id: "cust_2", sourceId: nil, name: nil, email: "x@example.com", phone: nil,
      memberNumber: "M\u{1}", metadata: [:], createdAt: Sample.created,
      updatedAt: Date(timeIntervalSince1970: -62_135_596_800))  // 0001-01-01
    let entries = [
      RedeemableResult.restored(
        code: "PENNY", voucher: Sample.penny, status: .active, refusal: nil, discount: 1,
        giftCredits: 0),
      RedeemableResult.restored(
        code: "TENOFF", voucher: Sample.amount, status: nil, refusal: nil, discount: 1_000,
        giftCredits: 0),
      RedeemableResult.restored(
        code: "bare\"",
        voucher: bareVoucher("B", kind: .gift(amount: 5, balance: 0), created: farFuture),
        status: .noBalance, refusal: .giftAmountExceeded(balance: 0, requested: 1),
        discount: 0, giftCredits: 0),
      RedeemableResult.restored(
        code: "PCT",
        voucher: bareVoucher(
          "P", kind: .discount(.percent(basisPoints: 10_000, amountLimit: 0)), created: Sample.later
        ),
        status: .active, refusal: nil, discount: 0, giftCredits: 0),
    ]
    let cases: [(ValidationResult, RedemptionRequest)] = [
      (Sample.validation, Sample.request),
      (
        ValidationResult.restored(
          valid: true, redeemables: entries, orderAmount: 0, discountAmount: 1_001,
          giftCredits: 0, totalAmount: -1, customer: customer, currency: "EUR"),
        RedemptionRequest(codes: [CodeRequest("PENNY")], items: [])
      ),
      (
        ValidationResult.restored(
          valid: false, redeemables: [], orderAmount: 5, discountAmount: 0, giftCredits: 0,
          totalAmount: 5, customer: nil, currency: "SEK"),
        RedemptionRequest(codes: [], orderSourceId: "o\n1", items: Sample.items)
      ),
    ]
    for (result, request) in cases {
      let direct = WireValidation.json(result, request: request)
      let general = WireFormat.encode(WireValidation(result, request: request))
      #expect(direct == general, "\(text(direct))\n\(text(general))")
    }
  }

  @Test("the request reader reads what the decoder reads, and leaves the rest to it")
  func requestReader() throws {
    let read = [
      #"{"redeemables":[{"id":"A"}],"order":{"metadata":{"a":null,"n":[1,{"b":true}]}}}"#,
      #"{"redeemables":[{"object":"voucher","id":"A-1"}],"order":{"amount":20000,"items":[{"product_id":"p1","quantity":2,"price":10000}]},"customer":{"source_id":"c-1"}}"#,
      #"{"redeemables":[{"id":"A"},{"id":"G","gift":{"credits":500},"x":[1]}],"#
        + #""customer":{"id":"cust_1","source_id":null,"email":"a@b","name":"N","metadata":{"q":1}},"#
        + #""order":{"id":"o","source_id":"s","amount":-0,"discount_amount":1,"#
        + #""total_discount_amount":2,"applied_discount_amount":3,"total_amount":4,"#
        + #""gift_credits":5,"items":[{"sku_id":"s","amount":7,"object":"order_item","extra":{}}],"#
        + #""object":"order","customer_id":"c","status":"PAID","metadata":{"k":"v","é":"\u00e9"}},"#
        + #""channel":{"terminal":"t","cashier":null},"metadata":{"ignored":true}}"#,
      #"{"redeemables":[{"id":"A","gift":null,"object":null}],"customer":null,"order":null,"channel":null}"#,
      #"{"redeemables":[],"order":{"items":null,"metadata":null,"amount":9223372036854775807}}"#,
    ]
    let declined = [
      #"{"order":{"amount":1}}"#,
      #"{"redeemables":null}"#,
      #"{"redeemables":[{"id":null}]}"#,
      #"{"redeemables":[{"object":"voucher"}]}"#,
      #"{"redeemables":[{"id":5}]}"#,
      #"{"redeemables":[null]}"#,
      #"{"redeemables":{"id":"A"}}"#,
      #"{"redeemables":[{"id":"A","gift":{"credits":"1"}}]}"#,
      #"{"redeemables":[{"id":"A"}],"order":{"amount":1.0}}"#,
      #"{"redeemables":[{"id":"A"}],"order":{"amount":1e2}}"#,
      #"{"redeemables":[{"id":"A"}],"order":{"amount":9223372036854775808}}"#,
      #"{"redeemables":[{"id":"A"}],"order":{"items":[null]}}"#,
      #"{"redeemables":[{"id":"A"}],"customer":"c"}"#,
      #"{"redeemables":[{"id":"A"}],"channel":{"terminal":1}}"#,
    ]
    func members(_ body: String) throws -> [(key: String, value: JSONValue)] {
      guard case .object(let members) = try JSONValue.parse(Data(body.utf8)) else { return [] }
      return members
    }
    for body in read {
      let reference = try JSONValueDecoder().decode(
        WireRedemptionRequest.self, from: .object(members(body)))
      #expect(WireRedemptionRequest(parsed: try members(body)) == reference, "\(body)")
    }
    for body in declined {
      #expect(WireRedemptionRequest(parsed: try members(body)) == nil, "\(body)")
    }
    // Whatever the reader accepts of mangled bodies, the decoder reads the same.
    var generator = SystemRandomNumberGenerator()
    let alphabet = Array(#"{}[]":,.-e0123456789nul"#.utf8)
    var accepted = 0
    for round in 0..<5_000 {
      var bytes = Array(read[round % read.count].utf8)
      for _ in 0..<Int.random(in: 1...3, using: &generator) {
        let index = Int.random(in: 0..<bytes.count, using: &generator)
        bytes[index] = alphabet.randomElement(using: &generator)!
      }
      guard case .object(let members)? = try? JSONValue.parse(Data(bytes)),
        let fast = WireRedemptionRequest(parsed: members)
      else { continue }
      accepted += 1
      let reference = try? JSONValueDecoder().decode(
        WireRedemptionRequest.self, from: .object(members))
      #expect(fast == reference, "\(String(decoding: bytes, as: UTF8.self))")
    }
    #expect(accepted > 0)
  }

  @Test("decimals are written as their description says, without calling it")
  func decimals() throws {
    #expect(DecimalParts.layoutIsKnown)
    var values = (0...10_000).map { WireFormat.percent(basisPoints: Int64($0)) }
    values += [Int64.max, Int64.min, 0, -1, 10, 1_000_000_000_000_000].map { Decimal($0) }
    // Not compacted: arithmetic keeps trailing zeros.
    values += [Decimal(1250) * Decimal(string: "0.01")!, Decimal(string: "0.10")! + 0]
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<3_000 {
      let digits = Int.random(in: 1...20, using: &generator)
      let mantissa =
        UInt64.random(in: 0...UInt64.max, using: &generator) % (digits == 20 ? .max : pow10(digits))
      let exponent = Int.random(in: -30...30, using: &generator)
      let sign = Bool.random(using: &generator) ? "-" : ""
      values.append(try #require(Decimal(string: "\(sign)\(mantissa)e\(exponent)")))
    }
    for value in values {
      #expect(written(value) == value.description, "\(value)")
    }
  }

  @Test("strings are escaped as the streaming encoder escapes them, at every length")
  func strings() throws {
    let pieces = [
      "a", "Z", "0", " ", "/", "\"", "\\", "\n", "\u{1}", "\u{1F}", "\u{7F}", "é", "山", "😀",
    ]
    var generator = SystemRandomNumberGenerator()
    for length in 0..<40 {
      for _ in 0..<20 {
        var value = ""
        for _ in 0..<length {
          // Mostly plain text, so that escapes fall at every offset of an 8-byte word.
          value +=
            Int.random(in: 0..<4, using: &generator) == 0
            ? pieces.randomElement(using: &generator)! : "x"
        }
        let streamed = try StreamingJSONEncoder().encode([value, value + value])
        #expect(WireFormat.encode([value, value + value]) == streamed, "\(value.debugDescription)")
      }
    }
  }

  @Test("dates go into the text as WireFormat.date writes them")
  func dates() {
    let seconds: [Double] = [
      0, -0.001, 1_730_000_000.123, 1_730_000_000.9995, 951_782_400, -62_135_596_800,
      253_402_300_799.999, 253_402_300_800, -62_167_219_200.5,
    ]
    for second in seconds {
      let date = Date(timeIntervalSince1970: second)
      var json = JSONOutput()
      json.date(date)
      #expect(text(json.data()) == written(WireFormat.date(date)), "\(second)")
    }
  }

  @Test("paths split on bytes as they split on characters")
  func pathSegments() {
    let paths = [
      "/v1/validations", "/", "", "//v1//vouchers/A-1/", "/v1/vouchers/%2F", "/health",
      "/v1/vouchers/Å山/redemption", "/v1/vouchers/\u{301}X", "/v1/a/\u{301}/b", "no/slash/start",
    ]
    for path in paths {
      let characters = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
      #expect(APIRouter.segments(path) == characters, "\(path)")
    }
  }
}

private func pow10(_ exponent: Int) -> UInt64 {
  (0..<exponent).reduce(1) { value, _ in value * 10 }
}
