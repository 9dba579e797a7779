import Foundation
import Testing
import VoucherAPI

/// The example answers of Voucherify's own schemas, one per response of a route served here
/// (extracted from `contracts/voucherify/*.json` into the fixture), read by our wire types:
/// what a Voucherify tenant sends must decode, whatever of ours it lacks.
private let examples: [(route: String, example: String, type: String, body: Data)] = {
  let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/voucherify-response-examples.json")
  guard let data = try? Data(contentsOf: url),
    let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
    let list = root["examples"] as? [[String: Any]]
  else { return [] }
  return list.compactMap { entry in
    guard let route = entry["route"] as? String, let name = entry["example"] as? String,
      let type = entry["type"] as? String, let body = entry["body"],
      let bytes = try? JSONSerialization.data(withJSONObject: body)
    else { return nil }
    return (route, name, type, bytes)
  }
}()

private func decode(_ type: String, _ body: Data) throws {
  let decoder = JSONDecoder()
  switch type {
  case "WireCustomerList": _ = try decoder.decode(WireCustomerList.self, from: body)
  case "WireCustomer": _ = try decoder.decode(WireCustomer.self, from: body)
  case "WireCustomerRedeemablePage":
    _ = try decoder.decode(WireCursorPage<WireCustomerRedeemable>.self, from: body)
  case "WireVoucherList": _ = try decoder.decode(WireVoucherList.self, from: body)
  case "WireVoucher": _ = try decoder.decode(WireVoucher.self, from: body)
  case "WireBalance": _ = try decoder.decode(WireBalance.self, from: body)
  case "WireTransactionPage":
    _ = try decoder.decode(WireCursorPage<WireTransaction>.self, from: body)
  case "WireRedemptionList": _ = try decoder.decode(WireRedemptionList.self, from: body)
  case "WireRedemption": _ = try decoder.decode(WireRedemption.self, from: body)
  case "WireVoucherRedemptions": _ = try decoder.decode(WireVoucherRedemptions.self, from: body)
  case "WireRollback": _ = try decoder.decode(WireRollback.self, from: body)
  case "WireValidation": _ = try decoder.decode(WireValidation.self, from: body)
  case "WireSingleValidation": _ = try decoder.decode(WireSingleValidation.self, from: body)
  case "WireQualification": _ = try decoder.decode(WireQualification.self, from: body)
  default: Issue.record("no wire type named \(type)")
  }
}

@Suite("Voucherify's example answers decode into our wire types")
struct ResponseExampleTests {
  @Test("the fixture holds the examples of every served route")
  func fixture() {
    #expect(examples.count >= 70)
    #expect(Set(examples.map(\.route)).count == 22)
  }

  @Test("every example decodes", arguments: examples.indices)
  func decodes(index: Int) {
    let example = examples[index]
    do {
      try decode(example.type, example.body)
    } catch {
      Issue.record("\(example.route) “\(example.example)” as \(example.type): \(error)")
    }
  }
}
