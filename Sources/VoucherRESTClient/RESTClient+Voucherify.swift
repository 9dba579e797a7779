import Foundation
import VoucherAPI
import VoucherClient
import VoucherEngine

/// What the till does with Voucherify's own routes where the server advertises none of our
/// extensions, and how it learns which it advertises.
extension RESTClient {
  /// Our extensions, by the names `voucher-engine serve` advertises them.
  enum Extension {
    static let fence = "fence"
    static let idempotency = "idempotency"
    static let nameSearch = "name-search"
    static let reactivate = "reactivate"
    static let health = "health"
    static let walletTabs = "wallet-tabs"
    static let tillSales = "till-sales"
    static let me = "me"
    static let voucherHistory = "voucher-history"
  }

  /// How long after sending a redeem the till waits before "not redeemed" without a fence.
  ///
  /// Voucherify documents no processing limit or request timeout for `POST /v1/redemptions`:
  /// its limits page, https://docs.voucherify.io/docs/limits, gives request counts per
  /// minute, hour and billing cycle only; its OpenAPI schemas name none; it has no
  /// idempotency key. So the figure is a conservative choice of ours, not Voucherify's: five
  /// times the 60 seconds a till waits for an answer, 300 s.
  static let processingLimit: TimeInterval = 300
  static let processingLimitSource =
    "Voucherify documents no processing limit; 300 s chosen as a conservative wait"

  static func capabilities(_ names: Set<String>) -> BackendCapabilities {
    BackendCapabilities(
      contactSearch: names.contains(Extension.nameSearch)
        ? [.namePrefix, .email, .phone, .memberNumber, .sourceId] : [.email, .sourceId],
      validation: .server, stacking: .atomic,
      redeemGuarantee: names.contains(Extension.fence)
        ? .fence : .waitOut(seconds: processingLimit, source: processingLimitSource),
      unRedeem: names.contains(Extension.reactivate) ? .reactivate : .rollback,
      listsDaysSales: names.contains(Extension.tillSales))
  }

  /// The cheapest read any key may make: the voucher list narrowed to one code (a whole list
  /// may need a support key).
  static let cheapestReadQuery = [("code", "VOUCHER-POS-CHECK"), ("limit", "1")]
  var cheapestRead: [(String, String)] { Self.cheapestReadQuery }

  /// The names in an `X-Voucher-Engine-Capabilities` header (none without one).
  static func extensionNames(_ header: String?) -> Set<String> {
    Set(
      (header ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty })
  }

  /// The extensions the server offers, asked once with the cheapest authenticated read; none
  /// when it cannot be asked now (then it is asked again next time).
  func extensions() async -> Set<String> {
    if let known = advertisedNames { return known }
    _ = await send(
      "GET", ["v1", "vouchers"], query: cheapestRead, body: nil,
      timeout: min(readTimeout, 3), idempotencyKey: nil, isSafeToRepeat: true)
    return advertisedNames ?? []
  }

  /// A validation or redemption body. Without our extensions it holds Voucherify's fields
  /// only: the till and cashier (`channel`, ours) are left out, and so is each item's
  /// `object`, which Voucherify's order item in a request does not have.
  func requestBody(_ request: RedemptionRequest, extensions names: Set<String>) -> Data {
    var wire = WireRedemptionRequest(request)
    if names.isEmpty {
      wire.channel = nil
      let items = wire.order?.items?.map { item in
        var plain = item
        plain.object = nil
        return plain
      }
      wire.order?.items = items
    }
    return WireFormat.encode(wire)
  }

  // MARK: Contacts

  /// Exact lookups only: an email by `?email=`; anything else as a source id (a phone or
  /// member number typed at the till is one), then as a whole name (`?name=`).
  func findExactly(_ text: String, limit: Int) async throws(ClientError) -> [Customer] {
    if text.contains("@") { return try await customers(email: text, limit: limit) }
    var found: [Customer] = []
    if let bySource = try await read(
      WireCustomer.self, ["v1", "customers", text], notFoundIsNil: true)
    {
      found.append(try Self.customer(bySource))
    }
    let named = try await read(
      WireCustomerList.self, ["v1", "customers"],
      query: [("name", text), ("limit", String(min(limit, 100)))])
    for wire in named?.customers ?? [] where !found.contains(where: { $0.id == wire.id }) {
      found.append(try Self.customer(wire))
    }
    return Array(found.prefix(limit))
  }

  func customers(email: String, limit: Int) async throws(ClientError) -> [Customer] {
    let list = try await read(
      WireCustomerList.self, ["v1", "customers"],
      query: [("email", email), ("limit", String(min(max(limit, 1), 100)))])
    return try list?.customers.map(Self.customer) ?? []
  }

  // MARK: Vouchers

  /// The customer's vouchers by `GET /v1/vouchers?customer=`, every page of them (a wallet is
  /// small), with the tabs and their counts worked out here from each voucher's own fields.
  func wallet(of customerId: String, filter: VoucherFilter, page: Int, limit: Int)
    async throws(ClientError) -> VoucherPage
  {
    guard let customer = try await contact(customerId) else {
      throw .rejected(Refusal(code: nil, reason: .customerNotFound(reference: customerId)))
    }
    let now = Date()
    var all: [ListedVoucher] = []
    var number = 1
    // Bounded: 10 pages of 100.
    while number <= 10 {
      guard
        let list = try await read(
          WireVoucherList.self, ["v1", "vouchers"],
          query: [("customer", customer.id), ("limit", "100"), ("page", String(number))])
      else { break }
      for wire in list.vouchers {
        guard let voucher = wire.engineValue() else {
          throw .backendFailed("the server sent an unreadable voucher")
        }
        all.append(ListedVoucher.restored(voucher: voucher, status: voucher.status(at: now)))
      }
      if list.vouchers.count < 100 || all.count >= list.total { break }
      number += 1
    }
    all.sort { $0.voucher.code < $1.voucher.code }
    var counts: [VoucherFilter: Int] = [:]
    for tab in VoucherFilter.allCases {
      counts[tab] = all.filter { tab.includes($0.status) }.count
    }
    let shown = all.filter { filter.includes($0.status) }
    return VoucherPage.restored(
      items: Array(shown.dropFirst((page - 1) * limit).prefix(limit)), counts: counts,
      total: shown.count, page: page, limit: limit)
  }

  // MARK: Rollbacks

  /// A void with Voucherify's routes: `/rollbacks` for a stacked parent, `/rollback` for a
  /// single redemption.
  func rollBackSale(_ redemptionId: String, reason: String) async throws(ClientError)
    -> [Rollback]
  {
    guard
      let wire = try await read(WireRedemption.self, ["v1", "redemptions", redemptionId]),
      let redemption = wire.engineValue()
    else { throw .backendFailed("the server sent an unreadable redemption") }
    let body = WireFormat.encode(WireReactivateRequest(reason: reason))
    // Not retried: a second rollback is refused (already_rolled_back), and a lost answer is
    // checked by reading the sale again.
    if !redemption.children.isEmpty {
      let answer = try await exchange(
        "POST", ["v1", "redemptions", redemptionId, "rollbacks"], body: body,
        timeout: readTimeout, retry: false)
      guard let stacked = try Self.decodeSuccess(WireStackedRollback.self, answer) else {
        throw .backendFailed("the server sent an unreadable rollback")
      }
      return try stacked.rollbacks.map { part throws(ClientError) in
        guard let rollback = part.engineValue() else {
          throw .backendFailed("the server sent an unreadable rollback")
        }
        return rollback
      }
    }
    return [try await rollBack(redemptionId, body: body)]
  }

  /// A reactivation with Voucherify's routes: the latest redemption of the code that is not
  /// rolled back yet is rolled back. Refused like our reactivate when the voucher is not used.
  func rollBackLatest(code: String, reason: String) async throws(ClientError) -> Rollback {
    let text = code.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    guard let voucher = try await voucher(code: text) else {
      throw .rejected(Refusal(code: text, reason: .notFound(code: text)))
    }
    let status = voucher.status(at: Date())
    guard status == .used || status == .noBalance else {
      throw .rejected(Refusal(code: voucher.code, reason: .voucherStillActive))
    }
    guard
      let list = try await read(
        WireVoucherRedemptions.self, ["v1", "vouchers", voucher.code, "redemption"])
    else { throw .backendFailed("the server sent no redemptions of \(voucher.code)") }
    let made = list.redemptionEntries.compactMap { $0.engineValue() }
      .filter { $0.status == .succeeded && $0.rollbackId == nil }
    guard let latest = made.max(by: { ($0.date, $0.id) < ($1.date, $1.id) }) else {
      throw .rejected(Refusal(code: voucher.code, reason: .voucherStillActive))
    }
    let body = WireFormat.encode(WireReactivateRequest(reason: reason))
    return try await rollBack(latest.id, body: body)
  }

  private func rollBack(_ redemptionId: String, body: Data) async throws(ClientError) -> Rollback {
    let answer = try await exchange(
      "POST", ["v1", "redemptions", redemptionId, "rollback"], body: body, timeout: readTimeout,
      retry: false)
    guard let wire = try Self.decodeSuccess(WireRollback.self, answer),
      let rollback = wire.engineValue()
    else { throw .backendFailed("the server sent an unreadable rollback") }
    return rollback
  }
}
