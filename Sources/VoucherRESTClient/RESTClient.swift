import Foundation
import Synchronization
import VoucherAPI
import VoucherClient
import VoucherEngine

/// `VoucherClient` over HTTP: a Voucherify tenant, or `voucher-engine serve`.
///
/// It speaks Voucherify's documented routes and parameters only, unless the server names
/// one of our extensions in its `X-Voucher-Engine-Capabilities` header (`discover()`, or the
/// first call, asks once): then, and only then, it uses that extension (the fence, name
/// search, reactivate, the wallet's tabs, the day's sales, idempotency keys, `/health`).
/// `capabilities` says what it found; until it has asked, Voucherify's own.
///
/// Reads are retried once when the connection fails. A redeem is never re-sent: it carries
/// the order's transaction id (`order.source_id`) (and the attempt's key as
/// `Idempotency-Key` where advertised), gets the time left before its deadline, and past the
/// deadline (or on a connection lost mid-way, or a 5xx) reports `.outcomeUnknown` so the
/// caller resolves the attempt: through the fence where advertised, otherwise by reading the
/// order and waiting out Voucherify's processing limit.
///
/// HTTP goes through `HTTPTransport` (our own sockets for `http://`, libcurl loaded on first
/// use for `https://`), not URLSession: FoundationNetworking would double the till's start
/// time.
public final class RESTClient: VoucherClient {
  /// The server's base URL (`http://127.0.0.1:8080`).
  public let baseURL: URL
  public let appId: String
  private let token: String
  /// How long a read may take before `.timedOut`.
  public let readTimeout: TimeInterval
  private let transport: HTTPTransport
  /// The extensions the server advertised; nil until an answer came.
  private let advertised = Mutex<Set<String>?>(nil)
  var advertisedNames: Set<String>? { advertised.withLock { $0 } }

  public var backendDescription: String { baseURL.absoluteString }

  /// - Parameters:
  ///   - baseURL: the server, without `/v1`.
  ///   - appId, token: an API key (`voucher-engine keys add`).
  ///   - readTimeout: seconds a read may take.
  public convenience init(
    baseURL: URL, appId: String, token: String, readTimeout: TimeInterval = 10
  ) {
    self.init(
      baseURL: baseURL, appId: appId, token: token, readTimeout: readTimeout,
      transport: HTTPTransport())
  }

  /// A client over a given transport (tests: its limits, certificates to trust), and, for
  /// tests of the transport, the extensions taken as advertised without asking.
  init(
    baseURL: URL, appId: String, token: String, readTimeout: TimeInterval,
    transport: HTTPTransport, extensions: Set<String>? = nil
  ) {
    advertised.withLock { $0 = extensions }
    self.baseURL = baseURL
    self.appId = appId
    self.token = token
    self.readTimeout = readTimeout
    self.transport = transport
  }

  /// A client for a resolved configuration (flags and environment).
  public convenience init(_ configuration: RESTClientConfiguration) {
    self.init(
      baseURL: configuration.endpoint, appId: configuration.appId, token: configuration.token)
  }

  // MARK: VoucherClient

  public func findContacts(_ query: String, limit: Int) async throws(ClientError) -> [Customer] {
    let text = query.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty, limit > 0 else { return [] }
    guard await extensions().contains(Extension.nameSearch) else {
      return try await findExactly(text, limit: limit)
    }
    let list = try await read(
      WireCustomerList.self, ["v1", "customers"],
      query: [("q", text), ("limit", String(min(limit, 100)))])
    return try list?.customers.map(Self.customer) ?? []
  }

  public func contact(_ reference: String) async throws(ClientError) -> Customer? {
    let text = reference.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty else { return nil }
    if text.contains("@"), !(await extensions().contains(Extension.nameSearch)) {
      return try await customers(email: text, limit: 1).first
    }
    return try await read(WireCustomer.self, ["v1", "customers", text], notFoundIsNil: true)
      .map(Self.customer)
  }

  public func vouchers(of customerId: String, filter: VoucherFilter, page: Int, limit: Int)
    async throws(ClientError) -> VoucherPage
  {
    let page = max(1, page)
    let limit = max(1, min(limit, 100))
    guard await extensions().contains(Extension.walletTabs) else {
      return try await wallet(of: customerId, filter: filter, page: page, limit: limit)
    }
    guard
      let list = try await read(
        WireVoucherList.self, ["v1", "vouchers"],
        query: [
          ("customer", customerId), ("status", filter.rawValue), ("page", String(page)),
          ("limit", String(limit)),
        ])
    else { throw .backendFailed("the server sent no voucher list") }
    var items: [ListedVoucher] = []
    for wire in list.vouchers {
      guard let voucher = wire.engineValue(), let status = wire.status else {
        throw .backendFailed("the server sent an unreadable voucher")
      }
      items.append(ListedVoucher.restored(voucher: voucher, status: status))
    }
    var counts: [VoucherFilter: Int] = [:]
    for (name, count) in list.counts ?? [:] {
      if let tab = VoucherFilter(rawValue: name) { counts[tab] = count }
    }
    return VoucherPage.restored(
      items: items, counts: counts, total: list.total, page: page, limit: limit)
  }

  public func voucher(code: String) async throws(ClientError) -> Voucher? {
    let text = code.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty else { return nil }
    guard
      let wire = try await read(WireVoucher.self, ["v1", "vouchers", text], notFoundIsNil: true)
    else { return nil }
    guard let voucher = wire.engineValue() else {
      throw .backendFailed("the server sent an unreadable voucher")
    }
    return voucher
  }

  public func validate(_ request: RedemptionRequest) async throws(ClientError) -> ValidationResult {
    let body = requestBody(request, extensions: await extensions())
    let answer = try await exchange(
      "POST", ["v1", "validations"], body: body, timeout: readTimeout, retry: true)
    guard let wire = try Self.decodeSuccess(WireValidation.self, answer),
      let result = wire.engineValue()
    else { throw .backendFailed("the server sent an unreadable validation") }
    return result
  }

  /// What the server advertised (Voucherify's own until it has been asked).
  public var capabilities: BackendCapabilities {
    Self.capabilities(advertised.withLock { $0 } ?? [])
  }

  /// Asks the server which of our extensions it offers, once: the till calls it before its
  /// first screen, so that `capabilities` is what the server says. A server that cannot be
  /// reached now is asked again at the next call.
  public func discover() async { _ = await extensions() }

  public func redeem(_ attempt: RedeemAttempt, deadline: Date) async throws(ClientError)
    -> RedeemOutcome
  {
    let order = attempt.orderSourceId
    guard deadline.timeIntervalSinceNow > 0 else { throw .outcomeUnknown(orderSourceId: order) }
    // Asked once, before anything is sent (the till asks at start, so this is a lookup).
    let names = await extensions()
    let timeLeft = deadline.timeIntervalSinceNow
    // Nothing was sent yet: a deadline spent on asking leaves the outcome known.
    guard timeLeft > 0 else { throw .unreachable("no answer before the deadline") }
    let body = requestBody(attempt.request, extensions: names)
    let key = names.contains(Extension.idempotency) ? attempt.key : nil
    let answer: (status: Int, body: Data)
    switch await send(
      "POST", ["v1", "redemptions"], body: body, timeout: timeLeft,
      idempotencyKey: key, isSafeToRepeat: false)
    {
    case .success(let value): answer = value
    case .failure(.notSent(let detail)): throw .unreachable(detail)
    case .failure(.timedOut), .failure(.lost): throw .outcomeUnknown(orderSourceId: order)
    }
    guard (200..<300).contains(answer.status) else {
      // A gateway or server error says nothing about whether the engine behind it committed.
      if answer.status >= 500 { throw .outcomeUnknown(orderSourceId: order) }
      throw Self.error(answer)
    }
    guard let decoded = try? JSONDecoder().decode(WireRedeemResponse.self, from: answer.body),
      let outcome = decoded.engineValue()
    else {
      // A success we cannot read was still a success on the server: make the caller check.
      throw .outcomeUnknown(orderSourceId: order)
    }
    return outcome
  }

  /// The fence over HTTP where advertised. Not retried blindly either: asking twice is
  /// harmless (it is idempotent), but a failure is reported, and the caller asks again later.
  /// Without it, the order is read and nothing found proves nothing until Voucherify's
  /// processing limit has passed.
  public func resolve(_ attempt: RedeemAttempt) async throws(ClientError) -> AttemptResolution {
    guard await extensions().contains(Extension.fence) else {
      let found = try await redemptions(ofOrder: attempt.orderSourceId)
      return .waitingOut(
        found: found, attempt: attempt, limit: Self.processingLimit, now: Date())
    }
    let answer = try await exchange(
      "POST", ["v1", "attempts", attempt.key, "close"], body: nil, timeout: readTimeout,
      retry: true)
    guard let wire = try Self.decodeSuccess(WireAttemptFence.self, answer),
      let fence = wire.engineValue()
    else { throw .backendFailed("the server sent an unreadable answer about the attempt") }
    switch fence {
    case .made(let redemption): return .made(redemption)
    case .closed: return .notMade
    }
  }

  /// Through `GET /v1/orders/{source_id}`: its `redemptions` map names each redemption made
  /// under the order (a stacked one by its parent), each then read whole.
  public func redemptions(ofOrder orderSourceId: String) async throws(ClientError) -> [Redemption] {
    guard !orderSourceId.isEmpty,
      let order = try await read(
        VoucherifyOrder.self, ["v1", "orders", orderSourceId], notFoundIsNil: true)
    else { return [] }
    var found: [Redemption] = []
    for id in order.topRedemptionIds {
      guard
        let wire = try await read(WireRedemption.self, ["v1", "redemptions", id]),
        let redemption = wire.engineValue()
      else { throw .backendFailed("the server sent an unreadable redemption") }
      found.append(redemption)
    }
    return found.sorted { ($0.date, $0.id) > ($1.date, $1.id) }
  }

  public func sales(terminal: String, from start: Date, to end: Date) async throws(ClientError)
    -> [Redemption]
  {
    guard await extensions().contains(Extension.tillSales) else {
      throw .notAllowed("this voucher system does not list a till's sales")
    }
    guard
      let list = try await read(
        WireRedemptionList.self, ["v1", "redemptions"],
        query: [
          ("terminal", terminal),
          ("created_at[after]", WireFormat.date(start.addingTimeInterval(-0.001))),
          ("created_at[before]", WireFormat.date(end)), ("limit", "1000"),
        ])
    else { return [] }
    var found: [Redemption] = []
    for wire in list.redemptions {
      guard let redemption = wire.engineValue() else {
        throw .backendFailed("the server sent an unreadable redemption")
      }
      found.append(redemption)
    }
    return found
  }

  /// Through `GET /v1/me` where the server serves it; nil only once the server has said
  /// what it offers and `me` is not among it.
  ///
  /// - Throws: `.unreachable` while the server has not answered at all: whether it can
  ///   tell the role is not known yet (the till asks again when it answers).
  public func grantedRole() async throws(ClientError) -> APIRole? {
    let offered = await extensions()
    guard advertisedNames != nil else {
      throw .unreachable("the voucher system did not answer")
    }
    guard offered.contains(Extension.me) else { return nil }
    guard let caller = try await read(WireCaller.self, ["v1", "me"]),
      let role = APIRole(rawValue: caller.role)
    else { throw .backendFailed("the server sent an unreadable answer about its key") }
    return role
  }

  /// Through `GET /v1/vouchers/{code}/history` where the server serves it; nil (not known)
  /// elsewhere.
  public func history(code: String) async throws(ClientError) -> [VoucherHistoryEntry]? {
    guard await extensions().contains(Extension.voucherHistory) else { return nil }
    let code = code.trimmingCharacters(in: .whitespacesAndNewlines)
    guard
      let wire = try await read(
        WireVoucherHistory.self, ["v1", "vouchers", code, "history"], notFoundIsNil: true)
    else { return nil }
    guard let entries = wire.engineValue() else {
      throw .backendFailed("the server sent an unreadable voucher history")
    }
    return entries
  }

  public func void(redemptionId: String, reason: String, by: String?) async throws(ClientError)
    -> [Rollback]
  {
    guard await extensions().contains(Extension.reactivate) else {
      return try await rollBackSale(redemptionId, reason: reason)
    }
    let body = WireFormat.encode(WireReactivateRequest(reason: reason, by: by))
    // Not retried: the server refuses a second rollback (already_rolled_back), and a lost
    // answer is checked by reading the sale again.
    let answer = try await exchange(
      "POST", ["v1", "redemptions", redemptionId, "rollback"], body: body,
      timeout: readTimeout, retry: false)
    guard let wire = try Self.decodeSuccess(WireRollback.self, answer) else {
      throw .backendFailed("the server sent an unreadable rollback")
    }
    let parts = wire.rollbacks ?? [wire]
    var rollbacks: [Rollback] = []
    for part in parts {
      guard let rollback = part.engineValue() else {
        throw .backendFailed("the server sent an unreadable rollback")
      }
      rollbacks.append(rollback)
    }
    return rollbacks
  }

  public func reactivate(code: String, reason: String, by: String?) async throws(ClientError)
    -> Rollback
  {
    guard await extensions().contains(Extension.reactivate) else {
      return try await rollBackLatest(code: code, reason: reason)
    }
    let body = WireFormat.encode(WireReactivateRequest(reason: reason, by: by))
    // Not retried: a reactivation that arrived twice would give back two uses.
    let answer = try await exchange(
      "POST",
      ["v1", "vouchers", code.trimmingCharacters(in: .whitespacesAndNewlines), "reactivate"],
      body: body, timeout: readTimeout, retry: false)
    guard let wire = try Self.decodeSuccess(WireRollback.self, answer),
      let rollback = wire.engineValue()
    else { throw .backendFailed("the server sent an unreadable rollback") }
    return rollback
  }

  /// `GET /health` where advertised, otherwise the cheapest authenticated read.
  public func isReachable() async -> Bool {
    let health = await extensions().contains(Extension.health)
    if case .success(let answer) = await send(
      "GET", health ? ["health"] : ["v1", "vouchers"], query: health ? [] : cheapestRead,
      body: nil, timeout: min(readTimeout, 3), idempotencyKey: nil,
      isSafeToRepeat: true)
    {
      return answer.status == 200
    }
    return false
  }

  // MARK: Transport

  func read<T: Decodable>(
    _ type: T.Type, _ path: [String], query: [(String, String)] = [], notFoundIsNil: Bool = false
  ) async throws(ClientError) -> T? {
    let answer = try await exchange(
      "GET", path, query: query, body: nil, timeout: readTimeout, retry: true)
    if notFoundIsNil, answer.status == 404,
      let error = try? JSONDecoder().decode(APIError.self, from: answer.body),
      error.key == "not_found"
    {
      return nil
    }
    return try Self.decodeSuccess(type, answer)
  }

  /// A request that changes nothing (or is safe to repeat): retried once when the
  /// connection fails.
  func exchange(
    _ method: String, _ path: [String], query: [(String, String)] = [], body: Data?,
    timeout: TimeInterval, retry: Bool
  ) async throws(ClientError) -> (status: Int, body: Data) {
    var attempt = 0
    while true {
      attempt += 1
      switch await send(
        method, path, query: query, body: body, timeout: timeout, idempotencyKey: nil,
        isSafeToRepeat: retry)
      {
      case .success(let answer): return answer
      case .failure(.timedOut): throw .timedOut
      case .failure(.notSent(let detail)), .failure(.lost(let detail)):
        if retry && attempt < 2 { continue }
        throw .unreachable(detail)
      }
    }
  }

  static func decodeSuccess<T: Decodable>(
    _ type: T.Type, _ answer: (status: Int, body: Data)
  )
    throws(ClientError) -> T?
  {
    guard (200..<300).contains(answer.status) else { throw error(answer) }
    do {
      return try JSONDecoder().decode(type, from: answer.body)
    } catch {
      throw .backendFailed("the server's answer could not be read (\(error))")
    }
  }

  /// The `ClientError` for an HTTP error answer: the same cases `LocalClient` reports.
  static func error(_ answer: (status: Int, body: Data)) -> ClientError {
    let decoded = try? JSONDecoder().decode(APIError.self, from: answer.body)
    switch answer.status {
    case 401, 403:
      return .notAllowed(decoded?.details ?? decoded?.message ?? "HTTP \(answer.status)")
    case 500...:
      return .backendFailed(decoded?.details ?? "HTTP \(answer.status)")
    default:
      if let refusal = decoded?.refusal { return .rejected(refusal) }
      return .backendFailed(
        "HTTP \(answer.status): \(decoded?.details ?? decoded?.message ?? "no error object")")
    }
  }

  static func customer(_ wire: WireCustomer) throws(ClientError) -> Customer {
    guard let customer = wire.engineValue() else {
      throw .backendFailed("the server sent an unreadable customer")
    }
    return customer
  }

  private func url(_ path: [String], query: [(String, String)]) -> URL? {
    HTTPTransport.url(baseURL, path, query: query)
  }

  /// One HTTP exchange, bounded by `timeout`: whatever comes first, the answer or the time,
  /// decides; a late answer is dropped.
  ///
  /// - Parameter isSafeToRepeat: sending it twice does no harm; only then may it go over a
  ///   kept-alive connection (see `HTTPTransport.Request`).
  func send(
    _ method: String, _ path: [String], query: [(String, String)] = [], body: Data?,
    timeout: TimeInterval, idempotencyKey: String?, isSafeToRepeat: Bool
  ) async -> Result<(status: Int, body: Data), TransportFailure> {
    guard let url = url(path, query: query) else { return .failure(.notSent("bad URL")) }
    var headers = [
      (name: "X-App-Id", value: appId), (name: "X-App-Token", value: token),
      (name: "Accept", value: "application/json"),
    ]
    if body != nil { headers.append((name: "Content-Type", value: "application/json")) }
    if let idempotencyKey { headers.append((name: "Idempotency-Key", value: idempotencyKey)) }
    let request = HTTPTransport.Request(
      method: method, url: url, headers: headers, body: body, isSafeToRepeat: isSafeToRepeat)
    let result = await transport.send(request, timeout: timeout)
    if case .success(let answer) = result {
      // The first answer says what the server offers; a tenant's says nothing.
      let names = Self.extensionNames(answer.capabilities)
      advertised.withLock { if $0 == nil { $0 = names } }
    }
    return result.map { ($0.status, $0.body) }
  }
}
