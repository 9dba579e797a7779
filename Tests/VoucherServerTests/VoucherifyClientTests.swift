import Foundation
import Testing
import VoucherClient
import VoucherEngine
import VoucherRESTClient
import VoucherServer

/// What the REST client says and does where a server offers Voucherify's surface only
/// (`serve --voucherify-only`), and that it finds our extensions where they are advertised.
@Suite("The REST client against Voucherify's surface only")
struct VoucherifyClientTests {
  private let cart = [CartItem(sku: "prod_1", quantity: 1, price: 25900)]

  private func engine() throws -> VoucherEngine {
    let engine = try freshEngine()
    try engine.upsertCustomer(CustomerDraft(sourceId: "alice-1", name: "Alice Lindqvist"))
    var ten = VoucherDraft(
      code: "TEN10", kind: .discount(.percent(basisPoints: 1000, amountLimit: nil)))
    ten.quantity = 1
    try engine.createVoucher(ten)
    try engine.createVoucher(VoucherDraft(code: "FIVE", kind: .discount(.amount(500))))
    try engine.createVoucher(
      VoucherDraft(code: "GIFT50", kind: .gift(amount: 5000, balance: 5000)))
    return engine
  }

  @Test("before and after discovery: Voucherify's own capabilities, the wait-out named")
  func capabilities() async throws {
    let live = try LiveServer(engine: try engine(), surface: .voucherifyOnly)
    let client = live.client()
    let voucherify = BackendCapabilities(
      contactSearch: [.email, .sourceId], validation: .server, stacking: .atomic,
      redeemGuarantee: .waitOut(
        seconds: 300,
        source: "Voucherify documents no processing limit; 300 s chosen as a conservative wait"),
      unRedeem: .rollback, listsDaysSales: false)
    #expect(client.capabilities == voucherify)
    await client.discover()
    #expect(client.capabilities == voucherify)
    #expect(await client.isReachable())
    let sales = await clientError {
      try await client.sales(terminal: "till-02", from: testNow, to: testNow)
    }
    #expect(sales == .notAllowed("this voucher system does not list a till's sales"))
  }

  @Test("our server's extensions are used once advertised, and only then")
  func discovery() async throws {
    let live = try LiveServer(engine: try engine())
    let client = live.client()
    #expect(client.capabilities.redeemGuarantee != .fence)
    await client.discover()
    #expect(client.capabilities == .engine)
  }

  @Test("with no fence, nothing found is not known until the processing limit has passed")
  func waitOut() async throws {
    let live = try LiveServer(engine: try engine(), surface: .voucherifyOnly)
    let client = live.client()
    await client.discover()
    let request = RedemptionRequest(
      codes: [CodeRequest("TEN10")], orderSourceId: "sale-7", items: cart)
    let lost = attempt(request)
    guard case .unknown(let why) = try await client.resolve(lost) else {
      Issue.record("a read alone said something about an attempt still in flight")
      return
    }
    #expect(why.contains("may still be working on it"))
    var old = lost
    old.sentAt = Date().addingTimeInterval(-301)
    #expect(try await client.resolve(old) == .notMade)

    let made = try await client.redeem(lost, deadline: Date().addingTimeInterval(30))
    #expect(try await client.resolve(lost) == .made(made.redemption))
    #expect(try await client.redemptions(ofOrder: "sale-7") == [made.redemption])
  }

  @Test(
    "a void of a stacked sale rolls back every part with /rollbacks; a reactivation rolls back the latest use"
  )
  func rollbacks() async throws {
    let live = try LiveServer(engine: try engine(), surface: .voucherifyOnly)
    let client = live.client(.support)
    await client.discover()
    let request = RedemptionRequest(
      codes: [CodeRequest("FIVE"), CodeRequest("GIFT50", giftCredits: 1000)],
      orderSourceId: "sale-8", items: cart)
    let made = try await client.redeem(attempt(request), deadline: Date().addingTimeInterval(30))
    #expect(made.redemption.children.count == 2)
    let rollbacks = try await client.void(
      redemptionId: made.redemption.id, reason: "Customer changed mind", by: "Omar")
    #expect(Set(rollbacks.compactMap(\.voucherCode)) == ["FIVE", "GIFT50"])
    #expect(rollbacks.allSatisfy { $0.reason == "Customer changed mind" })
    #expect(try live.engine.voucher(code: "GIFT50")?.kind == .gift(amount: 5000, balance: 5000))
    let again = await clientError {
      try await client.void(redemptionId: made.redemption.id, reason: "again", by: nil)
    }
    guard case .rejected(let refusal) = again else {
      Issue.record("a second void was not refused")
      return
    }
    #expect(refusal.reason == .alreadyRolledBack)

    let single = RedemptionRequest(
      codes: [CodeRequest("TEN10")], orderSourceId: "sale-9", items: cart)
    let used = try await client.redeem(attempt(single), deadline: Date().addingTimeInterval(30))
    let rollback = try await client.reactivate(code: "ten10", reason: "Goods returned", by: nil)
    #expect(rollback.redemptionId == used.redemption.id)
    #expect(try live.engine.voucher(code: "TEN10")?.redeemedQuantity == 0)
    let still = await clientError {
      try await client.reactivate(code: "TEN10", reason: "again", by: nil)
    }
    #expect(still == .rejected(Refusal(code: "TEN10", reason: .voucherStillActive)))
  }
}
