import Foundation
import TestSupport
import Testing
import VoucherEngine
import VoucherServer

/// A small seeded generator (SplitMix64), so a failing input is found again from its seed.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Inputs made by mutating valid ones: bytes flipped, inserted, dropped, duplicated, and
/// the characters parsers care about (quotes, brackets, digits, separators, controls, bytes
/// that are not UTF-8) spliced in.
struct Mutator {
  var generator: SeededGenerator
  static let interesting: [[UInt8]] = [
    Array("\"".utf8), Array("\\".utf8), Array("{".utf8), Array("}".utf8), Array("[".utf8),
    Array("]".utf8), Array(",".utf8), Array(":".utf8), Array("-".utf8), Array(".".utf8),
    Array("e999".utf8), Array("99999999999999999999".utf8), Array("\\u0000".utf8),
    Array("\\ud800".utf8), [0], [0x1B], [0x0A], [0x0D], [0xFF], [0xC2], [0xE2, 0x82], [0xF0],
    Array("\r\n".utf8), Array("%00".utf8), Array("%".utf8), Array("%zz".utf8), Array(" ".utf8),
    Array("null".utf8), Array("true".utf8), Array("1e-400".utf8), Array("0x10".utf8),
  ]

  mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
    var bytes = seed
    for _ in 0...Int.random(in: 0...4, using: &generator) {
      let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &generator)
      switch Int.random(in: 0..<6, using: &generator) {
      case 0 where position < bytes.count:
        bytes[position] = UInt8.random(in: 0...255, using: &generator)
      case 1:
        bytes.insert(contentsOf: Self.interesting.randomElement(using: &generator)!, at: position)
      case 2 where position < bytes.count:
        bytes.removeSubrange(
          position..<min(bytes.count, position + Int.random(in: 1...8, using: &generator)))
      case 3 where position < bytes.count:
        let end = min(bytes.count, position + Int.random(in: 1...16, using: &generator))
        bytes.insert(contentsOf: bytes[position..<end], at: position)
      case 4:
        bytes = Array(bytes.prefix(position))
      default:
        bytes.insert(UInt8.random(in: 0...255, using: &generator), at: position)
      }
    }
    return bytes
  }
}

/// JSON text of a parsed value, to read it a second time.
func jsonText(_ value: JSONValue) -> String {
  func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
  switch value {
  case .null: return "null"
  case .bool(let flag): return flag ? "true" : "false"
  case .number(let text): return text
  case .string(let text): return quoted(text)
  case .array(let elements): return "[" + elements.map(jsonText).joined(separator: ",") + "]"
  case .object(let members):
    return "{" + members.map { quoted($0.key) + ":" + jsonText($0.value) }.joined(separator: ",")
      + "}"
  }
}

extension LoadTests {
  @Suite("Seeded random inputs")
  struct FuzzTests {
    static let jsonSeeds = [
      #"{"redeemables":[{"object":"voucher","id":"ALICE-10OFF-2026"}],"order":{"amount":25900,"items":[{"product_id":"p","quantity":1,"price":25900}]}}"#,
      #"{"source_id":"c1","name":"Åsa 山田","metadata":{"a":[1,2.5,-3e2,true,null,{"b":"\u00e9\n"}]}}"#,
      #"[[[[[[]]]]],{"":""},"\ud83d\ude00",-0,1E+2]"#,
    ]

    @Test("the JSON reader never crashes, and what it reads it reads again the same")
    func jsonReader() {
      var mutator = Mutator(generator: SeededGenerator(seed: 16_001))
      var parsed = 0
      for round in 0..<2_000 {
        let seed = Array(Self.jsonSeeds[round % Self.jsonSeeds.count].utf8)
        let input = mutator.mutate(seed)
        guard let value = try? JSONValue.parse(Data(input)) else { continue }
        parsed += 1
        // Strings read are valid Unicode, and the value survives a second read of itself.
        #expect(
          (try? JSONValue.parse(Data(jsonText(value).utf8))) == value,
          "round \(round): \(String(decoding: input, as: UTF8.self).debugDescription)")
      }
      #expect(parsed > 30)
      for seed in Self.jsonSeeds { #expect(throws: Never.self) { try JSONValue.parse(seed) } }
    }

    @Test("cart lines and amounts: never a crash, and every amount read is in range")
    func cartAndMoney() {
      var mutator = Mutator(generator: SeededGenerator(seed: 16_002))
      let seeds = ["prod_1 1 259.00", "sku:2:49,50", "a 100000 0.01", "x 1 99999999999999.99"]
      for round in 0..<2_000 {
        let text = String(
          decoding: mutator.mutate(Array(seeds[round % seeds.count].utf8)), as: UTF8.self)
        if let item = try? CartItem.parse(text) {
          #expect(item.quantity > 0 && item.quantity <= CartItem.maximumQuantity)
          #expect(item.price >= 0 && item.price <= Money.maximum)
          #expect(SafeText.firstControl(in: item.sku) == nil, "\(text.debugDescription)")
          let (_, overflow) = item.quantity.multipliedReportingOverflow(by: item.price)
          #expect(!overflow)
        }
        let amountText = String(text.split(separator: " ").last ?? "")
        if let minor = try? Money.parse(amountText) {
          #expect(minor >= 0 && minor <= Money.maximum)
          #expect((try? Money.parse(Money.format(minor))) == minor)
        }
      }
    }

    @Test("the CSV reader never crashes on mangled files and keeps line numbers rising")
    func csvReader() async throws {
      try await blocking {
        var mutator = Mutator(generator: SeededGenerator(seed: 16_003))
        let folder = serverTestFolder.appendingPathComponent("fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("in.csv").path
        let seed = Array(
          "source_id,email,name\r\nc1,a@example.com,\"Lind, Åsa\"\nc2,,\"say \"\"hi\"\"\"\n".utf8)
        for _ in 0..<200 {
          try Data(mutator.mutate(seed)).write(to: URL(fileURLWithPath: path))
          var reader = try CSVReader(path: path)
          var last = 0
          var records = 0
          while records < 1_000, let record = try? reader.next() {
            #expect(record.line > last)
            last = record.line
            records += 1
          }
        }
      }
    }

    @Test("request targets: never a crash; decoding is exact or refused")
    func requestTargets() async throws {
      try await blocking {
        var mutator = Mutator(generator: SeededGenerator(seed: 16_004))
        let engine = try freshEngine(clock: SystemClock())
        let live = try LiveServer(engine: engine)
        let seeds = [
          "/v1/customers?q=lind&limit=20", "/v1/vouchers/ALICE-10OFF-2026",
          "/v1/redemptions?order_source_id=T01-0001&filters%5Bvoucher_code%5D=X",
        ]
        var answered = 0
        for round in 0..<400 {
          let bytes = mutator.mutate(Array(seeds[round % seeds.count].utf8))
            .filter { $0 > 0x20 && $0 != 0x7F }
          guard !bytes.isEmpty else { continue }
          let socket = try #require(RawSocket(port: live.server.port))
          socket.send(
            Array("GET ".utf8) + bytes
              + Array(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".utf8)
              + Array(live.headers(.support).map { "\($0): \($1)\r\n" }.joined().utf8)
              + Array("\r\n".utf8))
          if let answer = socket.response(timeout: 10) {
            answered += 1
            #expect((200..<600).contains(answer.status))
            #expect(
              answer.status != 500, "round \(round): \(String(decoding: bytes, as: UTF8.self))")
          }
        }
        #expect(answered > 300)
        #expect(normalClientStatus(port: live.server.port) == 200)
      }
    }

    @Test("raw HTTP requests: mangled request lines, headers and bodies never stop the server")
    func httpRequests() async throws {
      try await blocking {
        var mutator = Mutator(generator: SeededGenerator(seed: 16_005))
        let engine = try freshEngine(clock: SystemClock())
        try engine.createVoucher(VoucherDraft(code: "FUZZ-1", kind: .discount(.amount(100))))
        let live = try LiveServer(engine: engine)
        let body = Array(
          #"{"redeemables":[{"object":"voucher","id":"FUZZ-1"}],"order":{"amount":1000}}"#.utf8)
        let seed = rawRequest(
          "POST", "/v1/validations", headers: live.headers(.cashier), body: body)
        var answered = 0
        for round in 0..<300 {
          let socket = try #require(RawSocket(port: live.server.port))
          socket.send(mutator.mutate(seed))
          socket.finishSending()
          // Whatever came, the connection ends or answers; end of file lets the server close a
          // request cut short at once instead of at its deadline.
          if let answer = socket.response(timeout: 3) {
            answered += 1
            #expect(answer.status != 500, "round \(round)")
          }
        }
        #expect(answered > 30, "only \(answered) of 300 mangled requests were answered")
        #expect(normalClientStatus(port: live.server.port) == 200)
        #expect(try engine.counts().redemptions == 0)
      }
    }
  }
}
