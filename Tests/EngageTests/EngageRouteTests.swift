import EngageServer
import EngageWire
import Foundation
import Testing
import VoucherEngine
import VoucherRESTClient

/// Runs the schema checker over `cases` (schema file, label, body) in one python3 process.
private func checkSchemas(_ cases: [(schema: String, label: String, body: Data)]) throws
  -> (status: Int32, output: String)
{
  let payload = try cases.map { entry -> [String: Any] in
    [
      "schema": entry.schema, "label": entry.label,
      "body": try JSONSerialization.jsonObject(with: entry.body, options: [.fragmentsAllowed]),
    ]
  }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  let script = packageRoot.appendingPathComponent("Tests/EngageTests/Fixtures/check_schemas.py")
  process.arguments = ["python3", script.path, engageContract.path]
  let input = Pipe()
  let output = Pipe()
  process.standardInput = input
  process.standardOutput = output
  process.standardError = output
  try process.run()
  input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: payload))
  try input.fileHandleForWriting.close()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("Engage dialect on serve")
struct EngageRouteTests {
  @Test("every route's 200 body fits the contract's schema, errors name themselves")
  func contract() async throws {
    #expect(
      FileManager.default.fileExists(atPath: engageContract.path),
      "the contract is read from \(engageContract.path)")
    let fixture = try EngageFixture()
    let alice = fixture.guid(fixture.alice)
    var cases: [(schema: String, label: String, body: Data)] = []
    for query in [
      "email=alice%40example.com", "mobilePhone=%2B46701234567", "customKey=100200",
      "customKey=alice-1", "socialSecurityNumber=811228-9874", "any=alice%40example.com",
      "any=100200", "any=%2B46701234567", "email=ALICE%40example.com&contactType=Member",
    ] {
      let answer = try await fixture.call("GET", "/api/v3/contacts/id?\(query)")
      #expect(answer.status == 200, "\(query): \(String(decoding: answer.body, as: UTF8.self))")
      #expect(answer.json as? String == alice, "\(query)")
      cases.append(("engage-contact-id.json", "contacts/id?\(query)", answer.body))
    }
    let contact = try await fixture.call("GET", "/api/v3/contacts/\(alice)")
    #expect(contact.status == 200)
    let attributes = (contact.json as? [String: Any])?["attributes"] as? [String: Any]
    #expect(attributes?["firstName"] as? String == "Alice")
    #expect(attributes?["memberNumber"] as? String == "100200")
    cases.append(("engage-contact.json", "contacts/{id}", contact.body))

    // Redeem one so every list has something in it.
    let r50 = try fixture.guid(code: "R50")
    let redeemed = try await fixture.call("POST", "/api/v3/reward-vouchers/\(r50)/redeem")
    #expect(redeemed.status == 200, "\(String(decoding: redeemed.body, as: UTF8.self))")
    cases.append(("engage-reward-voucher.json", "redeem", redeemed.body))
    var numbers: [String: [String]] = [:]
    for list in ["", "/available", "/redeemed"] {
      let answer = try await fixture.call(
        "GET", "/api/v3/reward-vouchers\(list)?contactId=\(alice)")
      #expect(answer.status == 200)
      cases.append(("engage-reward-voucher-list.json", "reward-vouchers\(list)", answer.body))
      let page = try EngageJSON.decode(EngageRewardVoucherPage.self, from: answer.body)
      numbers[list] = page.items.map(\.voucherNumber).sorted()
      #expect(page.count == page.items.count && page.totalCount == page.items.count)
    }
    #expect(numbers[""] == ["R100", "R50", "ROLD", "RONCE"])
    #expect(numbers["/available"] == ["R100", "RONCE"])
    #expect(numbers["/redeemed"] == ["R50"])
    let paged = try await fixture.call(
      "GET", "/api/v3/reward-vouchers?contactId=\(alice)&offset=1&count=2")
    let page = try EngageJSON.decode(EngageRewardVoucherPage.self, from: paged.body)
    #expect(page.offset == 1 && page.count == 2 && page.totalCount == 4)

    let reactivated = try await fixture.call("POST", "/api/v3/reward-vouchers/\(r50)/reactivate")
    #expect(reactivated.status == 200)
    #expect((reactivated.json as? [String: Any])?["redeemed"] as? Bool == false)
    cases.append(("engage-reward-voucher.json", "reactivate", reactivated.body))

    let notFound = try await fixture.call("GET", "/api/v3/contacts/id?email=nobody%40example.com")
    cases.append(("engage-error.json", "ContactNotFound", notFound.body))
    #expect(notFound.errorCode == "ContactNotFound")

    let result = try checkSchemas(cases)
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.hasSuffix("\(cases.count) passed, 0 failed\n"), "\(result.output)")
  }

  @Test("contact lookup: not found, several, invalid keys, any's order")
  func lookupErrors() async throws {
    let fixture = try EngageFixture()
    let expectations: [(String, Int, String)] = [
      ("email=nobody%40example.com", 404, "ContactNotFound"),
      ("mobilePhone=%2B46708888888", 409, "MultipleMatches"),
      ("email=not-an-email", 400, "InvalidEmailAddress"),
      ("mobilePhone=0701234567", 400, "InvalidPhoneNumber"),
      ("socialSecurityNumber=811228-9875", 400, "InvalidSocialSecurityNumber"),
      ("email=alice%40example.com&contactType=Robot", 400, "InvalidContactType"),
      ("", 400, "InvalidSearchQuery"),
      // `any` stops at the first key the value is valid for, found or not.
      ("any=%2B46700000000", 404, "ContactNotFound"),
      ("email=alice%40example.com&customKey=100300", 404, "ContactNotFound"),
    ]
    for (query, status, name) in expectations {
      let answer = try await fixture.call("GET", "/api/v3/contacts/id?\(query)")
      #expect(answer.status == status, "\(query)")
      #expect(answer.errorCode == name, "\(query): \(String(decoding: answer.body, as: UTF8.self))")
      let object = answer.json as? [String: Any]
      #expect(object?["status"] as? Int == status)
      #expect((object?["message"] as? String)?.isEmpty == false)
    }
    // A member number that is also a valid personal number is tried as the personal number.
    let eva = try fixture.engine.upsertCustomer(
      CustomerDraft(sourceId: "eva-1", name: "Eva", memberNumber: "8112289874"))
    let any = try await fixture.call("GET", "/api/v3/contacts/id?any=8112289874")
    #expect(any.json as? String == fixture.guid(fixture.alice))
    let member = try await fixture.call("GET", "/api/v3/contacts/id?customKey=8112289874")
    #expect(member.json as? String == fixture.guid(eva))
  }

  @Test("transport: User-Agent and key required, Content-Type on bodies, 429 above the rate")
  func transport() async throws {
    let fixture = try EngageFixture(rate: 5)
    let path = "/api/v3/contacts/id?email=alice%40example.com"
    let noAgent = try await fixture.call("GET", path, userAgent: nil)
    #expect(noAgent.status == 400)
    #expect(noAgent.errorCode == "UserAgentRequired")
    let message = (noAgent.json as? [String: Any])?["message"] as? String ?? ""
    #expect(message.contains("User-Agent"))
    let noKey = try await fixture.call("GET", path, apikey: "")
    #expect(noKey.status == 401)
    #expect(noKey.errorCode == "ApiKeyRequired")
    let badKey = try await fixture.call("GET", path, apikey: "\(fixture.cashier.key.appId):wrong")
    #expect(badKey.status == 401)
    #expect(badKey.errorCode == "InvalidApiKey")
    let r100 = try fixture.guid(code: "R100")
    let plain = try await fixture.call(
      "POST", "/api/v3/reward-vouchers/\(r100)/redeem", body: Data("{}".utf8),
      contentType: "text/plain")
    #expect(plain.status == 415)
    #expect(plain.errorCode == "UnsupportedMediaType")
    // A burst of five per key; the 415 above took one. With the limit's clock stopped
    // nothing refills: four more pass, then 429.
    var statuses: [Int] = []
    for _ in 0..<6 { statuses.append(try await fixture.call("GET", path).status) }
    #expect(statuses == [200, 200, 200, 200, 429, 429], "\(statuses)")
    let limited = try await fixture.call("GET", path)
    #expect(limited.errorCode == "TooManyRequests")
    // Another key has its own budget.
    let other = try fixture.engine.addAPIKey(name: "till 2", role: .cashier)
    let fresh = try await fixture.call("GET", path, apikey: "\(other.key.appId):\(other.token)")
    #expect(fresh.status == 200)
  }

  @Test("redeem and reactivate: each 409, 404, 400, and the reactivation limit")
  func conflicts() async throws {
    let fixture = try EngageFixture()
    let r100 = try fixture.guid(code: "R100")
    func post(_ id: String, _ action: String) async throws -> (Int, String?) {
      let answer = try await fixture.call("POST", "/api/v3/reward-vouchers/\(id)/\(action)")
      return (answer.status, answer.errorCode)
    }
    #expect(try await post(r100, "reactivate") == (409, "RewardVoucherAlreadyActivated"))
    #expect(try await post(r100, "redeem") == (200, nil))
    #expect(try await post(r100, "redeem") == (409, "RewardVoucherAlreadyRedeemed"))
    #expect(
      try await post(try fixture.guid(code: "ROLD"), "redeem") == (409, "RewardVoucherExpired"))
    #expect(
      try await post(try fixture.guid(code: "ROLD"), "reactivate") == (409, "RewardVoucherExpired"))
    let once = try fixture.guid(code: "RONCE")
    #expect(try await post(once, "redeem") == (200, nil))
    #expect(try await post(once, "reactivate") == (200, nil))
    #expect(try await post(once, "redeem") == (200, nil))
    #expect(try await post(once, "reactivate") == (409, "ReactivationLimitExceeded"))
    #expect(try await post("not-a-guid", "redeem") == (400, "InvalidRewardVoucherId"))
    #expect(
      try await post("7e7e0000-0000-0000-0000-000000000001", "redeem")
        == (404, "RewardVoucherNotFound"))
    // A percent voucher is no reward voucher.
    #expect(
      try await post(try fixture.guid(code: "PCT10"), "redeem") == (404, "RewardVoucherNotFound"))
    let wrong = try await fixture.call("GET", "/api/v3/reward-vouchers/\(r100)/redeem")
    #expect(wrong.status == 405)
  }

  @Test("a redeem not begun within 4.5 s answers 504 and never commits")
  func pointOfNoReturnNotCommitted() async throws {
    let fixture = try EngageFixture()
    let r100 = try fixture.guid(code: "R100")
    fixture.store.holdNextWrite(.beforeLock(limit: 30))
    let answer = try await fixture.call("POST", "/api/v3/reward-vouchers/\(r100)/redeem")
    #expect(answer.status == 504)
    #expect(answer.errorCode == "GatewayTimeout")
    // The held redeem reaches the database after the answer, and is refused there.
    #expect(try await fixture.store.heldWriteDone())
    let voucher = try #require(try fixture.engine.voucher(code: "R100"))
    #expect(voucher.redeemedQuantity == 0)
    #expect(try fixture.engine.redemptions(RedemptionQuery(code: "R100")).isEmpty)
  }

  @Test("a redeem that committed answers 200, however late")
  func pointOfNoReturnCommitted() async throws {
    let fixture = try EngageFixture()
    let r100 = try fixture.guid(code: "R100")
    fixture.store.holdNextWrite(.insideLock(6))
    let answer = try await fixture.call("POST", "/api/v3/reward-vouchers/\(r100)/redeem")
    #expect(answer.status == 200, "\(String(decoding: answer.body, as: UTF8.self))")
    #expect((answer.json as? [String: Any])?["redeemed"] as? Bool == true)
    #expect(try fixture.engine.voucher(code: "R100")?.redeemedQuantity == 1)
  }

  @Test("GUIDs carry the engine's ids both ways")
  func ids() throws {
    let id = "v_0abcdefghij0123456789"
    let short = "v_" + String(id.dropFirst(3))
    let guid = try #require(EngageID.guid(engineId: short, kind: .rewardVoucher))
    #expect(EngageID.isGUID(guid))
    #expect(EngageID.engineId(guid: guid, kind: .rewardVoucher) == short)
    #expect(EngageID.engineId(guid: guid, kind: .contact) == nil)
    #expect(EngageID.guid(engineId: "v_short", kind: .rewardVoucher) == nil)
  }
}
