import Foundation
import TestSupport
import Testing
import VoucherClient
import VoucherEngine
import VoucherRESTClient
import VoucherServer

/// The clients under one suite, each REST one over both stores: the embedded engine, the
/// REST client talking to a live server over 127.0.0.1, on a SQLite file or on a database of
/// the shared PostgreSQL test cluster, and the same client against a server that serves
/// Voucherify's surface only (`serve --voucherify-only`), where it uses nothing of ours.
enum ClientKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
  case local, rest
  case localOnPostgreSQL = "local-postgresql"
  case restOnPostgreSQL = "rest-postgresql"
  case voucherifyOnly = "voucherify-only"
  var testDescription: String { rawValue }
  var isREST: Bool { self == .rest || self == .restOnPostgreSQL }
  var onPostgreSQL: Bool { self == .localOnPostgreSQL || self == .restOnPostgreSQL }
  /// The client uses Voucherify's routes only.
  var isVoucherifyOnly: Bool { self == .voucherifyOnly }
}

/// An engine with a few contacts and vouchers, and a client of `kind` over it. Both clients
/// see the same data through the same fixed clock.
final class Fixture: Sendable {
  let engine: VoucherEngine
  let client: any VoucherClient
  let server: LiveServer?
  let alice: Customer

  init(_ kind: ClientKind) throws {
    engine =
      kind.onPostgreSQL
      ? try VoucherEngine(
        store: PostgreSQLStore(url: PostgreSQLCluster.shared().createSchema()),
        clock: ManualClock(testNow))
      : try freshEngine()
    alice = try engine.upsertCustomer(
      CustomerDraft(
        sourceId: "alice-1", name: "Alice Lindqvist", email: "alice@example.com",
        phone: "070-123 45 67"))
    try engine.upsertCustomer(CustomerDraft(sourceId: "bob-1", name: "Bob Åberg"))
    var ten = VoucherDraft(
      code: "TEN10", kind: .discount(.percent(basisPoints: 1000, amountLimit: nil)))
    ten.holder = "alice-1"
    ten.quantity = 1
    ten.expirationDate = endOfYear
    try engine.createVoucher(ten)
    var old = VoucherDraft(code: "OLD5", kind: .discount(.amount(500)))
    old.holder = "alice-1"
    old.expirationDate = lastMonth
    try engine.createVoucher(old)
    var half = VoucherDraft(
      code: "HALF", kind: .discount(.percent(basisPoints: 1250, amountLimit: 2000)))
    half.minOrderAmount = 10_000
    try engine.createVoucher(half)
    try engine.createVoucher(
      VoucherDraft(code: "GIFT50", kind: .gift(amount: 5000, balance: 5000)))
    if kind.isREST {
      let live = try LiveServer(engine: engine)
      server = live
      client = live.client(.support)
    } else if kind.isVoucherifyOnly {
      let live = try LiveServer(engine: engine, surface: .voucherifyOnly)
      server = live
      client = live.client(.support)
    } else {
      server = nil
      client = LocalClient(engine: engine, description: "test")
    }
  }
}

extension Fixture {
  /// A fixture whose client has asked what the server offers, as the till does before its
  /// first screen (so no test's deadline pays for the asking).
  static func ready(_ kind: ClientKind) async throws -> Fixture {
    let fixture = try Fixture(kind)
    if let rest = fixture.client as? RESTClient { await rest.discover() }
    return fixture
  }
}

private let cart = [CartItem(sku: "prod_1", quantity: 1, price: 25900)]

private func sale(_ codes: [CodeRequest], order: String?, customer: String? = "alice-1")
  -> RedemptionRequest
{
  RedemptionRequest(
    codes: codes, customer: customer, orderSourceId: order, items: cart,
    channel: Channel(terminal: "till-02", cashier: "Kim"))
}

private func later() -> Date { Date().addingTimeInterval(30) }

@Suite("Client conformance: LocalClient and RESTClient give the same results")
struct ConformanceTests {
  @Test("contacts: search, lookup, unknown", arguments: ClientKind.allCases)
  func contacts(kind: ClientKind) async throws {
    let fixture = try await Fixture.ready(kind)
    let client = fixture.client
    if kind.isVoucherifyOnly {
      // Voucherify finds contacts exactly: by email, by source id (what a phone or member
      // number typed at the till is tried as), by whole name; and the client says so.
      #expect(client.capabilities.contactSearch == [.email, .sourceId])
      #expect(try await client.findContacts("ali", limit: 10).isEmpty)
      #expect(try await client.findContacts("+46701234567", limit: 10).isEmpty)
      #expect(try await client.findContacts("alice-1", limit: 10).map(\.sourceId) == ["alice-1"])
      #expect(
        try await client.findContacts("alice@example.com", limit: 10).map(\.sourceId)
          == ["alice-1"])
      #expect(try await client.findContacts("Bob Åberg", limit: 10).map(\.name) == ["Bob Åberg"])
    } else {
      #expect(try await client.findContacts("ali", limit: 10).map(\.sourceId) == ["alice-1"])
      #expect(
        try await client.findContacts("+46701234567", limit: 10).map(\.sourceId) == ["alice-1"])
      #expect(try await client.findContacts("åbe", limit: 10).map(\.name) == ["Bob Åberg"])
    }
    let alice = try #require(try await client.contact("alice@example.com"))
    #expect(alice == fixture.alice.readBack)
    #expect(try await client.contact(fixture.alice.id)?.sourceId == "alice-1")
    #expect(try await client.contact("nobody-9") == nil)
  }

  @Test("a contact's vouchers, with every tab's count", arguments: ClientKind.allCases)
  func vouchers(kind: ClientKind) async throws {
    let fixture = try await Fixture.ready(kind)
    let all = try await fixture.client.vouchers(
      of: fixture.alice.id, filter: .all, page: 1, limit: 10)
    #expect(all.items.map(\.voucher.code) == ["OLD5", "TEN10"])
    #expect(all.items.map(\.status) == [.expired, .active])
    #expect(all.counts == [.available: 1, .redeemed: 0, .expired: 1, .all: 2])
    let available = try await fixture.client.vouchers(
      of: "alice-1", filter: .available, page: 1, limit: 10)
    let ten = try #require(try fixture.engine.voucher(code: "TEN10"))
    #expect(available.items.map(\.voucher) == [ten.told(by: kind)])
    #expect(available.total == 1)
    let missing = await clientError {
      try await fixture.client.vouchers(of: "ghost", filter: .all, page: 1, limit: 5)
    }
    #expect(
      missing == .rejected(Refusal(code: nil, reason: .customerNotFound(reference: "ghost"))))
  }

  @Test("one voucher by code: scanner input works, unknown is nil", arguments: ClientKind.allCases)
  func voucherByCode(kind: ClientKind) async throws {
    let fixture = try await Fixture.ready(kind)
    let found = try #require(try await fixture.client.voucher(code: " half\n"))
    #expect(found == (try fixture.engine.voucher(code: "HALF"))?.told(by: kind))
    #expect(try await fixture.client.voucher(code: "NO-SUCH") == nil)
  }

  @Test("validation: discounts, refusals with their reasons", arguments: ClientKind.allCases)
  func validation(kind: ClientKind) async throws {
    let fixture = try await Fixture.ready(kind)
    let client = fixture.client
    let result = try await client.validate(sale([CodeRequest("ten10")], order: nil))
    #expect(result.valid)
    #expect(result.orderAmount == 25900)
    #expect(result.discountAmount == 2590)
    #expect(result.totalAmount == 23310)
    // Voucherify's validation states no currency (its project has one).
    #expect(result.currency == (kind.isVoucherifyOnly ? "" : "SEK"))
    #expect(result.customer?.id == fixture.alice.id)
    #expect(result.redeemables.map(\.status) == [.active])

    let capped = try await client.validate(sale([CodeRequest("HALF")], order: nil, customer: nil))
    #expect(capped.discountAmount == 2000)

    let refused = try await client.validate(
      sale([CodeRequest("OLD5"), CodeRequest("NOPE"), CodeRequest("OLD5")], order: nil))
    #expect(!refused.valid)
    let small = RedemptionRequest(
      codes: [CodeRequest("HALF")], items: [CartItem(sku: "p", quantity: 2, price: 1000)])
    let below = try await client.validate(small).redeemables.first?.refusal
    if kind.isVoucherifyOnly {
      // Voucherify's error names no date or minimum: the till shows its own sentence.
      #expect(
        refused.redeemables.map(\.refusal).dropFirst() == [
          .notFound(code: "NOPE"), .duplicatedRedeemables(code: "OLD5"),
        ])
      #expect(refused.redeemables.first?.refusal?.isStatedSentence == true)
      #expect(below?.isStatedSentence == true)
    } else {
      #expect(
        refused.redeemables.map(\.refusal) == [
          .voucherExpired(expiredAt: lastMonth), .notFound(code: "NOPE"),
          .duplicatedRedeemables(code: "OLD5"),
        ])
      #expect(below == .orderBelowMinimum(minimum: 10_000, orderAmount: 2000))
    }
    let bound = try await client.validate(
      sale([CodeRequest("TEN10")], order: nil, customer: "bob-1"))
    if kind.isVoucherifyOnly {
      #expect(bound.redeemables.first?.refusal?.isStatedSentence == true)
    } else {
      #expect(bound.redeemables.first?.refusal == .boundToAnotherCustomer)
    }

    let unknownCustomer = await clientError {
      try await client.validate(sale([CodeRequest("HALF")], order: nil, customer: "ghost"))
    }
    #expect(
      unknownCustomer
        == .rejected(Refusal(code: nil, reason: .customerNotFound(reference: "ghost"))))
  }

  @Test(
    "redeem exactly once: replay on the same order, refusal on another",
    arguments: ClientKind.allCases)
  func redeem(kind: ClientKind) async throws {
    let fixture = try await Fixture.ready(kind)
    let client = fixture.client
    let first = try await client.redeem(
      attempt(sale([CodeRequest("TEN10")], order: "sale-1")), deadline: later())
    #expect(!first.isReplay)
    #expect(first.redemption.voucherCode == "TEN10")
    #expect(first.redemption.amount == 2590)
    #expect(first.redemption.order.totalAmount == 23310)
    #expect(first.redemption.order.sourceId == "sale-1")
    #expect(first.redemption.status == .succeeded)
    #expect(first.redemption.date == testNow)
    // Voucherify's redeem takes no till: the channel is its own.
    #expect(first.redemption.channel.terminal == (kind.isVoucherifyOnly ? nil : "till-02"))

    let again = try await client.redeem(
      attempt(sale([CodeRequest("TEN10")], order: "sale-1")), deadline: later())
    // Voucherify's answer does not say it is a replay.
    #expect(again.isReplay == !kind.isVoucherifyOnly)
    #expect(again.redemption == first.redemption)

    let other = await clientError {
      try await client.redeem(
        attempt(sale([CodeRequest("TEN10")], order: "sale-2")), deadline: later())
    }
    // Voucherify's error does not say when the last use was.
    let lastUse = kind.isVoucherifyOnly ? nil : UseRecord(date: testNow, terminal: "till-02")
    #expect(other == .rejected(Refusal(code: "TEN10", reason: .quantityExceeded(lastUse: lastUse))))

    let made = try await client.redemptions(ofOrder: "sale-1")
    #expect(made == [first.redemption])
    #expect(try await client.redemptions(ofOrder: "sale-2").isEmpty)
    #expect(try fixture.engine.counts().redemptions == 1)
  }

  @Test("stacked codes and a gift card's named amount", arguments: ClientKind.allCases)
  func stackedAndGift(kind: ClientKind) async throws {
    let fixture = try await Fixture.ready(kind)
    let request = sale(
      [CodeRequest("HALF"), CodeRequest("GIFT50", giftCredits: 1200)], order: "sale-9")
    let outcome = try await fixture.client.redeem(attempt(request), deadline: later())
    #expect(outcome.perCode.map(\.voucherCode) == ["HALF", "GIFT50"])
    #expect(outcome.perCode.map(\.amount) == [2000, 1200])
    #expect(outcome.perCode.last?.giftBalanceAfter == 3800)
    #expect(outcome.redemption.order.totalAmount == 25900 - 2000 - 1200)
    #expect(try await fixture.client.redemptions(ofOrder: "sale-9") == [outcome.redemption])
    let empty = await clientError {
      try await fixture.client.redeem(
        attempt(sale([CodeRequest("GIFT50", giftCredits: 9000)], order: "sale-10")),
        deadline: later())
    }
    if kind.isVoucherifyOnly {
      guard case .rejected(let refusal) = empty else {
        Issue.record("not refused: \(String(describing: empty))")
        return
      }
      #expect(refusal.code == "GIFT50")
      #expect(refusal.reason.isStatedSentence)
    } else {
      #expect(
        empty
          == .rejected(
            Refusal(code: "GIFT50", reason: .giftAmountExceeded(balance: 3800, requested: 9000))))
    }
  }

  @Test("reactivation gives one use back, within its limit", arguments: ClientKind.allCases)
  func reactivation(kind: ClientKind) async throws {
    let fixture = try await Fixture.ready(kind)
    let client = fixture.client
    let first = try await client.redeem(
      attempt(sale([CodeRequest("TEN10")], order: "sale-1")), deadline: later())
    let rollback = try await client.reactivate(code: "ten10", reason: "Goods returned", by: "Omar")
    #expect(rollback.redemptionId == first.redemption.id)
    #expect(rollback.voucherCode == "TEN10")
    #expect(rollback.reason == "Goods returned")
    // A Voucherify rollback names no support agent and has no reactivation limit.
    #expect(rollback.by == (kind.isVoucherifyOnly ? nil : "Omar"))
    #expect(rollback.reactivationsLeft == (kind.isVoucherifyOnly ? 0 : 2))
    #expect(rollback.date == testNow)
    let still = await clientError {
      try await client.reactivate(code: "TEN10", reason: "again", by: nil)
    }
    #expect(still == .rejected(Refusal(code: "TEN10", reason: .voucherStillActive)))
    let unknown = await clientError {
      try await client.reactivate(code: "nope", reason: "x", by: nil)
    }
    #expect(unknown == .rejected(Refusal(code: "NOPE", reason: .notFound(code: "NOPE"))))
    #expect(try await client.redemptions(ofOrder: "sale-1").first?.status == .rolledBack)
    #expect(await client.isReachable())
  }
}

extension Voucher {
  /// The voucher as the client of `kind` can know it: Voucherify's voucher carries no
  /// currency, no reactivation limit and no minimum order of ours.
  func told(by kind: ClientKind) -> Voucher {
    guard kind.isVoucherifyOnly else { return self }
    var copy = self
    copy.currency = ""
    copy.reactivationLimit = 0
    copy.reactivationCount = 0
    copy.minOrderAmount = nil
    return copy
  }
}

extension Reason {
  /// A refusal told only in the back end's own sentence.
  var isStatedSentence: Bool {
    if case .invalidPayload(let text) = self { return !text.isEmpty }
    return false
  }
}

extension Customer {
  /// The customer as read back from the store (dates at whole milliseconds).
  var readBack: Customer {
    var copy = self
    copy.createdAt = Date(
      timeIntervalSince1970: (createdAt.timeIntervalSince1970 * 1000).rounded() / 1000)
    copy.updatedAt = Date(
      timeIntervalSince1970: (updatedAt.timeIntervalSince1970 * 1000).rounded() / 1000)
    return copy
  }
}
