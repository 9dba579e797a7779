import Foundation
import Testing
import VoucherAPI

@testable import VoucherRESTClient

/// Answers the schemas allow for which Voucherify gives no example (a stacked redeem, an
/// order with its redemptions map), built from the schemas' property examples: with the
/// required members only, and with every member, metadata of every JSON type and a member no
/// schema names. The till's decoders must read them all.
private let answers: [(schema: String, shape: String, type: String, body: Data)] = {
  let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/voucherify-built-answers.json")
  guard let data = try? Data(contentsOf: url),
    let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
    let list = root["answers"] as? [[String: Any]]
  else { return [] }
  return list.compactMap { entry in
    guard let schema = entry["schema"] as? String, let shape = entry["shape"] as? String,
      let type = entry["type"] as? String, let body = entry["body"],
      let bytes = try? JSONSerialization.data(withJSONObject: body)
    else { return nil }
    return (schema, shape, type, bytes)
  }
}()

@Suite("Answers built from Voucherify's schemas decode in the till's client")
struct BuiltAnswerTests {
  @Test("the fixture holds both shapes of both answers")
  func fixture() {
    #expect(answers.count == 4)
  }

  @Test("every built answer decodes", arguments: answers.indices)
  func decodes(index: Int) throws {
    let answer = answers[index]
    let decoder = JSONDecoder()
    let full = answer.shape == "every property"
    switch answer.type {
    case "WireRedeemResponse":
      let decoded = try decoder.decode(WireRedeemResponse.self, from: answer.body)
      #expect(decoded.redemptions.count == (full ? 1 : 0))
      #expect(!decoded.replayed)
      #expect((decoded.parentRedemption != nil) == full)
    case "VoucherifyOrder":
      let decoded = try decoder.decode(VoucherifyOrder.self, from: answer.body)
      #expect(decoded.topRedemptionIds == (full ? ["key_1"] : []))
    default:
      Issue.record("no decoder for \(answer.type)")
    }
  }

  @Test("a stacked order names its parent only; the parts come with it")
  func stackedOrder() throws {
    let body = Data(
      #"{"id":"ord_1","redemptions":{"r_parent":{"date":"2026-11-03T10:00:00.000Z","related_object_type":"redemption","related_object_id":"r_parent","stacked":["r_a","r_b"]},"r_a":{"related_object_type":"voucher"},"r_b":{}},"metadata":{"n":1}}"#
        .utf8)
    let order = try JSONDecoder().decode(VoucherifyOrder.self, from: body)
    #expect(order.topRedemptionIds == ["r_parent"])
  }
}
