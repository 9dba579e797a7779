import Foundation
import Testing
import VoucherAPI
import VoucherEngine

@testable import VoucherServer

private func parse(_ text: String) throws -> JSONValue {
  try JSONValue.parse(Data(text.utf8))
}

private func refuses(_ text: String) -> Bool {
  (try? parse(text)) == nil
}

/// Whether `value` has a number that a `Double` cannot hold.
private func holdsHugeNumber(_ value: JSONValue) -> Bool {
  switch value {
  case .number(let literal): !(Double(literal)?.isFinite ?? false)
  case .array(let elements): elements.contains(where: holdsHugeNumber)
  case .object(let members): members.contains { holdsHugeNumber($0.value) }
  default: false
  }
}

@Suite("JSON bodies: parser, decoder and dates")
struct JSONValueTests {
  @Test(
    "the parser says when a body may hold a control character, and never misses one",
    arguments: [
      (#"{"code":"ALICE-10OFF","items":[{"sku":"Kaffe på bönor","n":1}]}"#, false),
      (#"{"name":"\u00e9t\u00e9 \"quoted\" \/ \\"}"#, false),
      (#"{"reason":"two\nlines"}"#, true),
      (#"{"code":"A\u0000B"}"#, true),
      (#"{"code":"A\u001bB"}"#, true),
      (#"{"code":"A\u007fB"}"#, true),
      ("{\"code\":\"A\u{7F}B\"}", true),
      (#"{"code":"A\u0085B"}"#, true),
      ("{\"code\":\"A\u{85}B\"}", true),
      ("{\"code\":\"price ¢\"}", true),
      (#"{"k\tey":1}"#, true),
      (#"["\b","\f","\r"]"#, true),
    ])
  func notesControls(body: String, flagged: Bool) throws {
    var mayHoldControl = false
    let value = try JSONValue.parse(Data(body.utf8), mayHoldControl: &mayHoldControl)
    #expect(mayHoldControl == flagged)
    // Never a miss: whatever the server's check would refuse sets the flag (which may be
    // set without one: ¢, or a line break where one is allowed).
    #expect(!RequestText.holdsControl(value) || mayHoldControl)
    #expect(try parse(body) == value)
  }

  @Test("valid JSON parses to the same values JSONSerialization reads")
  func parsesValidJSON() throws {
    #expect(
      try parse(#" {"a" : [1, -2.5e3, true, false, null, "x"] } "#)
        == .object([
          (
            "a",
            .array([
              .number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null, .string("x"),
            ])
          )
        ]))
    #expect(try parse(#""\u00e5\ud83d\ude00\n\"\\\/""#) == .string("å😀\n\"\\/"))
    #expect(try parse("0") == .number("0"))
    #expect(try parse("{}") == .object([]))
    #expect(try parse("[]") == .array([]))
    #expect(try parse(#"{"name":"山田 Åsa"}"#)["name"] == .string("山田 Åsa"))
    let column = #"{"note":"Åsa \"VIP\"","tags":["a"]}"#
    #expect(try JSONValue.parse(column) == parse(column))
    #expect((try? JSONValue.parse("[1,")) == nil)
  }

  @Test("malformed bodies are refused, never guessed at")
  func refusesMalformedJSON() {
    for text in [
      "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'x'", "01", "1.", ".5",
      "-", "+1", "1e", "tru", "nul", "\"open", "\"tab\there\"", "\"\\x\"", "\"\\u12\"",
      "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "{} {}", "[1] x",
      "{\"a\":1,\"a\":2}",
    ] {
      #expect(refuses(text), "\(text)")
    }
    #expect((try? JSONValue.parse(Data([0x22, 0xFF, 0x22]))) == nil, "invalid UTF-8")
  }

  @Test("mangled bodies never crash the parser, and what it accepts JSONSerialization accepts")
  func survivesMangledBodies() throws {
    let seeds = [
      #"{"redeemables":[{"object":"voucher","id":"ALICE-10OFF"}],"order":{"amount":20000,"items":[{"product_id":"p1","quantity":2,"price":10000}]},"customer":{"source_id":"c-1"}}"#,
      #"{"a":[1,-2.5e3,true,false,null,"\u00e5\ud83d\ude00\n\"\\\/"],"b":{"c":{}}}"#,
    ].map { Array($0.utf8) }
    let alphabet = Array(#"{}[]":,.-+eE0123456789\u"tfnrl aé"#.utf8) + [0x00, 0x1F, 0xFF, 0xC3]
    var generator = SystemRandomNumberGenerator()
    var accepted = 0
    for round in 0..<20_000 {
      var bytes = seeds[round % seeds.count]
      for _ in 0..<Int.random(in: 1...4, using: &generator) {
        let index = Int.random(in: 0..<bytes.count, using: &generator)
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: bytes[index] = alphabet.randomElement(using: &generator)!
        case 1: bytes.remove(at: index)
        default: bytes.insert(alphabet.randomElement(using: &generator)!, at: index)
        }
        if bytes.isEmpty { bytes = [0x7B] }
      }
      let data = Data(bytes)
      guard let parsed = try? JSONValue.parse(data) else { continue }
      accepted += 1
      // A number beyond a Double's range (`-2.5e351`) is valid JSON that the parser keeps
      // as its literal; JSONSerialization refuses it.
      #expect(
        (try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)) != nil
          || holdsHugeNumber(parsed),
        "\(String(decoding: bytes, as: UTF8.self))")
    }
    #expect(accepted > 0, "some mutations stay valid JSON")
  }

  @Test("nesting is bounded, so a hostile body cannot exhaust a server thread's stack")
  func boundsNesting() {
    #expect(!refuses(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
    #expect(refuses(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)))
    #expect(refuses(String(repeating: "[", count: 100_000)))
  }

  @Test("integers are exact; fractions, exponents and overflow are not whole amounts")
  func decodesIntegersStrictly() throws {
    struct Amount: Decodable { var amount: Int64 }
    func amount(_ literal: String) -> Int64? {
      guard let body = try? parse(#"{"amount":\#(literal)}"#) else { return nil }
      return (try? JSONValueDecoder().decode(Amount.self, from: body))?.amount
    }
    #expect(amount("9223372036854775807") == Int64.max)
    #expect(amount("-12") == -12)
    #expect(amount("12.0") == nil)
    #expect(amount("1e3") == nil)
    #expect(amount("9223372036854775808") == nil)
    #expect(amount("\"12\"") == nil)
  }

  @Test("decimals are read from the literal, not through a double")
  func decodesDecimalsExactly() throws {
    struct Percent: Decodable { var percent: Decimal }
    let value = try JSONValueDecoder().decode(
      Percent.self, from: parse(#"{"percent":12.345678901234567891}"#))
    #expect(value.percent.description == "12.345678901234567891")
  }

  @Test("decoding errors carry the path JSONDecoder's would")
  func reportsPaths() throws {
    let body = try parse(
      #"{"redeemables":[{"object":"voucher","id":7}],"order":{"items":[{"quantity":"2"}]}}"#)
    #expect {
      try JSONValueDecoder().decode(WireRedemptionRequest.self, from: body)
    } throws: { error in
      guard case DecodingError.typeMismatch(_, let context) = error else { return false }
      return context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
        == ["redeemables", "0", "id"]
    }
    #expect {
      try JSONValueDecoder().decode(WireRedemptionRequest.self, from: parse(#"{"order":{}}"#))
    } throws: { error in
      guard case DecodingError.keyNotFound(let key, _) = error else { return false }
      return key.stringValue == "redeemables"
    }
    #expect {
      try JSONValueDecoder().decode(
        WireRedemptionRequest.self, from: parse(#"{"redeemables":[{"id":null}]}"#))
    } throws: { error in
      guard case DecodingError.valueNotFound = error else { return false }
      return true
    }
  }

  @Test("dates are written to the millisecond the engine stores, as ISO 8601 in UTC")
  func writesDates() {
    func text(_ milliseconds: Int64) -> String {
      WireFormat.date(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
    #expect(text(0) == "1970-01-01T00:00:00.000Z")
    #expect(text(-1) == "1969-12-31T23:59:59.999Z")
    #expect(text(951_782_400_000) == "2000-02-29T00:00:00.000Z")
    #expect(text(-2_203_891_200_000) == "1900-03-01T00:00:00.000Z")
    #expect(text(1_709_164_800_000 + 86_399_999) == "2024-02-29T23:59:59.999Z")
    // Foundation's style truncated this one (held as 1700000000.12299…) to .122.
    #expect(text(1_700_000_000_123) == "2023-11-14T22:13:20.123Z")
    // Against Foundation's own formatter, nudged half a millisecond up so that its
    // truncation lands on the same millisecond, over 1900–2100.
    let style = Date.ISO8601FormatStyle(
      includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2_000 {
      let milliseconds = Int64.random(
        in: -2_208_988_800_000...4_102_444_800_000, using: &generator)
      let nudged = Date(timeIntervalSince1970: (Double(milliseconds) + 0.5) / 1000)
      #expect(text(milliseconds) == nudged.formatted(style), "\(milliseconds)")
      #expect(
        WireFormat.date(from: text(milliseconds))
          == Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
  }
}
