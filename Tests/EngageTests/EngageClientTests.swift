import EngageClient
import EngageServer
import EngageWire
import Foundation
import Synchronization
import Testing
import VoucherClient
import VoucherEngine
import VoucherServer

private let cart = [CartItem(sku: "shirt", quantity: 1, price: 12_000)]

private func attempt(
  _ codes: [String], customer: String, order: String = UUID().uuidString, number: Int = 1,
  sentAt: Date = Date()
) -> RedeemAttempt {
  RedeemAttempt(
    key: RedeemAttempt.key(orderId: order, number: number),
    request: RedemptionRequest(
      codes: codes.map { CodeRequest($0) }, customer: customer, orderSourceId: order, items: cart),
    sentAt: sentAt)
}

/// The `ClientError` thrown by `body`, or nil (and a recorded issue) when it throws none.
private func clientError<T>(_ body: () async throws -> T) async -> ClientError? {
  do {
    _ = try await body()
    Issue.record("expected a ClientError")
    return nil
  } catch let error as ClientError {
    return error
  } catch {
    Issue.record("expected a ClientError, got \(error)")
    return nil
  }
}

/// The till's Engage client against the dialect served over 127.0.0.1: what applies of the
/// conformance suite (find, tabs, a scanned number, validation, redeem, resolve,
/// reactivation) in Engage's terms.
@Suite("Engage client against serve")
struct EngageClientTests {
  @Test("contacts by email, phone, member number, source id and personal number; not by name")
  func find() async throws {
    let fixture = try EngageFixture()
    let client = fixture.client()
    for query in [
      "alice@example.com", "+46701234567", "070-123 45 67", "100200", "alice-1", "811228-9874",
    ] {
      let found = try await client.findContacts(query, limit: 10)
      #expect(found.map(\.name) == ["Alice Lindqvist"], "\(query)")
      #expect(found.first?.memberNumber == "100200")
    }
    #expect(try await client.findContacts("Alice", limit: 10).isEmpty)
    let several = await clientError { try await client.findContacts("+46708888888", limit: 10) }
    let sentence = several?.cashierSentence() ?? ""
    #expect(sentence.contains("Several contacts have this phone number"), "\(sentence)")
    #expect(client.capabilities.contactSearch == [.email, .phone, .memberNumber, .personalNumber])
    #expect(
      client.capabilities.redeemGuarantee == .pointOfNoReturn(seconds: 4.5, grace: 0.5))
  }

  @Test("the three tabs, expired computed on the till, a scanned number from the open list")
  func tabs() async throws {
    let fixture = try EngageFixture()
    let client = fixture.client()
    let alice = fixture.guid(fixture.alice)
    let early = await clientError { try await client.voucher(code: "R100") }
    #expect(early?.cashierSentence().contains("Find the contact first") == true)
    let available = try await client.vouchers(of: alice, filter: .available, page: 1, limit: 50)
    #expect(available.items.map(\.voucher.code).sorted() == ["R100", "R50", "RONCE"])
    #expect(available.counts == [.available: 3, .redeemed: 0, .expired: 1, .all: 4])
    let expired = try await client.vouchers(of: alice, filter: .expired, page: 1, limit: 50)
    #expect(expired.items.map(\.voucher.code) == ["ROLD"])
    #expect(expired.items.first?.status == .expired)
    let scanned = try await client.voucher(code: " r100\n")
    #expect(scanned?.kind == .discount(.amount(10_000)))
    let other = await clientError { try await client.voucher(code: "RBOB") }
    #expect(other?.cashierSentence().contains("not among this contact's vouchers") == true)
  }

  @Test("validation on the till: value off the total, never more, expiry, already redeemed")
  func validation() async throws {
    let fixture = try EngageFixture()
    let client = fixture.client()
    let alice = fixture.guid(fixture.alice)
    let both = try await client.validate(
      RedemptionRequest(
        codes: [CodeRequest("R100"), CodeRequest("R50")], customer: alice, items: cart))
    #expect(both.valid)
    #expect(both.redeemables.map(\.discount) == [10_000, 2_000])
    #expect(both.totalAmount == 0)
    let old = try await client.validate(
      RedemptionRequest(codes: [CodeRequest("ROLD")], customer: alice, items: cart))
    #expect(!old.valid)
    if case .voucherExpired = old.redeemables.first?.refusal {
    } else {
      Issue.record("expected expired, got \(String(describing: old.redeemables.first?.refusal))")
    }
    let other = try await client.validate(
      RedemptionRequest(codes: [CodeRequest("RBOB")], customer: alice, items: cart))
    #expect(other.redeemables.first?.refusal == .notFound(code: "RBOB"))
  }

  @Test("redeem, resolve as made, reactivate for support, and Engage's refusals in words")
  func redeemAndReactivate() async throws {
    let fixture = try EngageFixture()
    let client = fixture.client()
    let alice = fixture.guid(fixture.alice)
    let sale = attempt(["R100"], customer: alice)
    let outcome = try await client.redeem(sale, deadline: Date().addingTimeInterval(60))
    #expect(outcome.redemption.voucherCode == "R100")
    #expect(outcome.redemption.amount == 10_000)
    #expect(try fixture.engine.voucher(code: "R100")?.redeemedQuantity == 1)
    guard case .made = try await client.resolve(sale) else {
      Issue.record("a redeemed voucher resolves as made")
      return
    }
    let again = await clientError {
      try await client.redeem(
        attempt(["R100"], customer: alice), deadline: Date().addingTimeInterval(60))
    }
    guard case .rejected(let refusal) = again, case .quantityExceeded = refusal.reason else {
      Issue.record("a second sale meets already used, got \(String(describing: again))")
      return
    }
    _ = try await client.vouchers(of: alice, filter: .redeemed, page: 1, limit: 50)
    let rollback = try await client.reactivate(code: "R100", reason: "returned", by: "sup")
    #expect(rollback.voucherCode == "R100")
    #expect(try fixture.engine.voucher(code: "R100")?.redeemedQuantity == 0)
    let twice = await clientError {
      try await client.reactivate(code: "R100", reason: "returned", by: "sup")
    }
    #expect(twice == .rejected(Refusal(code: "R100", reason: .voucherStillActive)))
  }

  @Test("two vouchers, the second refused by Engage: the first ends reactivated, and it says so")
  func partialStackUndone() async throws {
    let holder = Mutex<EngageFixture?>(nil)
    // Between the first redeem and the second, the second voucher is switched off.
    let fixture = try EngageFixture(beforeResponding: { request, status in
      guard request.path.hasSuffix("/redeem"), status == 200 else { return }
      _ = try? holder.withLock { $0 }?.engine.setVoucherActive(code: "R50", false)
    })
    holder.withLock { $0 = fixture }
    let client = fixture.client()
    let alice = fixture.guid(fixture.alice)
    let error = await clientError {
      try await client.redeem(
        attempt(["R100", "R50"], customer: alice), deadline: Date().addingTimeInterval(60))
    }
    guard case .rejected(let refusal) = error else {
      Issue.record("expected a refusal, got \(String(describing: error))")
      return
    }
    #expect(refusal.code == "R50")
    let sentence = error?.cashierSentence() ?? ""
    #expect(
      sentence == "This voucher has been switched off. R100 reactivated: nothing redeemed.",
      "\(sentence)")
    // The redeem screen shows it on one line of an 80-column terminal.
    #expect(sentence.count <= 76)
    let r100 = try #require(try fixture.engine.voucher(code: "R100"))
    #expect(r100.redeemedQuantity == 0)
    #expect(r100.reactivationCount == 1)
  }

  @Test("a retry that meets its own lost redeem counts it as made, never as a refusal")
  func retryAfterLostAnswer() async throws {
    let fixture = try EngageFixture()
    let client = fixture.client()
    let alice = fixture.guid(fixture.alice)
    let order = UUID().uuidString
    let first = attempt(["R100"], customer: alice, order: order)
    // The till gives up on try 1 at once; the redeem lands afterwards.
    let lost = await clientError { try await client.redeem(first, deadline: Date()) }
    #expect(lost == .outcomeUnknown(orderSourceId: order))
    let landed = try await fixture.call(
      "POST", "/api/v3/reward-vouchers/\(try fixture.guid(code: "R100"))/redeem")
    #expect(landed.status == 200)
    let second = attempt(["R100"], customer: alice, order: order, number: 2)
    let outcome = try await client.redeem(second, deadline: Date().addingTimeInterval(60))
    #expect(outcome.redemption.voucherCode == "R100")
    #expect(try fixture.engine.voucher(code: "R100")?.redeemedQuantity == 1)
  }

  @Test("after a 504 the till waits out the point of no return and the grace, then: not made")
  func resolveAfterGatewayTimeout() async throws {
    let fixture = try EngageFixture()
    let client = fixture.client(grace: 0.5)
    let alice = fixture.guid(fixture.alice)
    let sale = attempt(["R100"], customer: alice)
    fixture.store.holdNextWrite(.beforeLock(limit: 30))
    let error = await clientError {
      try await client.redeem(sale, deadline: Date().addingTimeInterval(60))
    }
    #expect(error == .outcomeUnknown(orderSourceId: sale.orderSourceId))
    var resolution = try await client.resolve(sale)
    let deadline = Date().addingTimeInterval(20)
    while case .unknown = resolution, Date() < deadline {
      try await Task.sleep(nanoseconds: 100_000_000)
      resolution = try await client.resolve(sale)
    }
    #expect(resolution == .notMade)
    #expect(Date() >= sale.sentAt.addingTimeInterval(5))
    #expect(try await fixture.store.heldWriteDone())
    #expect(try fixture.engine.voucher(code: "R100")?.redeemedQuantity == 0)
  }

  @Test("resolve says not known until the wait is over, then not made")
  func resolveWaits() async throws {
    let fixture = try EngageFixture()
    let client = fixture.client(grace: 60)
    let alice = fixture.guid(fixture.alice)
    guard case .unknown = try await client.resolve(attempt(["R100"], customer: alice)) else {
      Issue.record("a fresh attempt is not known yet")
      return
    }
    let old = attempt(["R100"], customer: alice, sentAt: Date().addingTimeInterval(-65))
    #expect(try await client.resolve(old) == .notMade)
  }
}
