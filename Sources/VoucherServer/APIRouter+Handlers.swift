import Foundation
import VoucherAPI
import VoucherEngine

extension APIRouter {
  // MARK: Customers

  func listCustomers(_ request: HTTPRequest) throws -> HTTPResponse {
    var known: Set<String> = [
      "limit", "page", "email", "city", "name", "segment_id", "created_at[before]",
      "created_at[after]", "updated_at[before]", "updated_at[after]", "order", "starting_after",
    ]
    // Ours: what a cashier types (a name's start, a phone, a member number).
    if extensions { known.formUnion(["q", "phone"]) }
    let query = try APIQuery(request, known: known)
    let limit = try query.integer("limit", in: 1...100) ?? 10
    let page = try query.integer("page", in: 1...1_000_000) ?? 1
    if let text = query.value("phone") ?? query.value("q") {
      var found = try engine.findCustomers(text, limit: min(page * limit, 1000))
      let total = found.count
      found = Array(found.dropFirst((page - 1) * limit).prefix(limit))
      return APIResponder.json(
        WireCustomerList(
          customers: found.map(WireCustomer.init), total: total, hasMore: page * limit < total))
    }
    // This server keeps no segments: no customer is in one.
    if query.value("segment_id") != nil {
      return APIResponder.json(WireCustomerList(customers: [], total: 0))
    }
    var filter = CustomerQuery()
    filter.email = query.value("email")
    filter.city = query.value("city")
    filter.name = query.value("name")
    filter.createdBefore = try query.date("created_at[before]")
    filter.createdAfter = try query.date("created_at[after]")
    filter.updatedBefore = try query.date("updated_at[before]")
    filter.updatedAfter = try query.date("updated_at[after]")
    filter.startingAfter = try query.date("starting_after")
    filter.order = try query.order(CustomerQuery.orderFields)
    filter.limit = limit
    filter.offset = (page - 1) * limit
    let found = try engine.customers(matching: filter)
    return APIResponder.json(
      WireCustomerList(
        customers: found.customers.map(WireCustomer.init), total: found.total,
        hasMore: filter.offset + found.customers.count < found.total))
  }

  func createCustomer(_ request: HTTPRequest, _ caller: Caller) throws -> HTTPResponse {
    let body = try decode(
      WireCustomerCreate.self, request, VoucherifyBodies.customerCreate(extensions: extensions))
    let customer = try engine.upsertCustomer(try body.draft(), actor: caller.key.name)
    return APIResponder.json(WireCustomer(customer))
  }

  func updateCustomer(_ request: HTTPRequest, _ caller: Caller, _ reference: String) throws
    -> HTTPResponse
  {
    let body = try decode(
      WireCustomerCreate.self, request, VoucherifyBodies.customerUpdate(extensions: extensions))
    guard let existing = try engine.customer(reference) else {
      throw Refusal(code: nil, reason: .customerNotFound(reference: reference))
    }
    var draft = try body.draft()
    draft.id = existing.id
    let customer = try engine.upsertCustomer(draft, actor: caller.key.name)
    return APIResponder.json(WireCustomer(customer))
  }

  func deleteCustomer(_ request: HTTPRequest, _ caller: Caller, _ reference: String) throws
    -> HTTPResponse
  {
    _ = try APIQuery(request, known: [])
    try engine.deleteCustomer(reference, actor: caller.key.name)
    return HTTPResponse(status: 204, body: Data())
  }

  func customer(_ request: HTTPRequest, _ reference: String) throws -> HTTPResponse {
    _ = try APIQuery(request, known: [])
    guard let customer = try engine.customer(reference) else {
      throw Refusal(code: nil, reason: .customerNotFound(reference: reference))
    }
    return APIResponder.json(WireCustomer(customer))
  }

  func redeemables(_ request: HTTPRequest, _ reference: String) throws -> HTTPResponse {
    var known: Set<String> = ["limit", "order", "starting_after_id"]
    // Ours: the till's tabs, paged by number.
    if extensions { known.formUnion(["status", "filter", "page"]) }
    let query = try APIQuery(request, known: known, unsupported: ["filters*"])
    guard let customer = try engine.customer(reference) else {
      throw Refusal(code: nil, reason: .customerNotFound(reference: reference))
    }
    let limit = try query.integer("limit", in: 1...100) ?? 10
    let order = try query.order(["id"])
    if let page = try query.integer("page", in: 1...1_000_000) {
      let found = try engine.vouchers(
        of: customer.id, filter: try filter(query), page: page, limit: limit)
      return APIResponder.json(WireCustomerRedeemableList(found, customerId: customer.id))
    }
    // Every voucher of the customer (a wallet is small), then the page after the cursor.
    let all = try engine.vouchers(
      of: customer.id, filter: try filter(query), page: 1, limit: 10_000)
    var entries = all.items.map { WireCustomerRedeemable($0, customerId: customer.id) }
    if let order { entries.sort { order.descending ? $0.id > $1.id : $0.id < $1.id } }
    return APIResponder.json(
      WireCursorPage(
        entries, id: \.id, after: query.value("starting_after_id"), limit: limit, total: true))
  }

  // MARK: Vouchers

  func listVouchers(_ request: HTTPRequest) throws -> HTTPResponse {
    var known: Set<String> = [
      "limit", "page", "category", "campaign_id", "customer", "campaign", "created_at[before]",
      "created_at[after]", "updated_at[before]", "updated_at[after]", "order", "code", "ids",
      "ids[]",
    ]
    // Ours: a customer's tab, with the count of every tab.
    if extensions { known.formUnion(["status", "filter"]) }
    let query = try APIQuery(request, known: known)
    let limit = try query.integer("limit", in: 1...100) ?? 10
    let page = try query.integer("page", in: 1...1_000_000) ?? 1
    let now = engine.clock.now()
    if let customer = query.value("customer"), query.value("status") ?? query.value("filter") != nil
    {
      let found = try engine.vouchers(
        of: customer, filter: try filter(query), page: page, limit: limit)
      let counts = Dictionary(
        uniqueKeysWithValues: VoucherFilter.allCases.map { ($0.rawValue, found.counts[$0] ?? 0) })
      return APIResponder.json(
        WireVoucherList(
          vouchers: found.items.map { WireVoucher($0.voucher, status: $0.status) },
          total: found.total, page: page, limit: limit, counts: counts))
    }
    var filter = VoucherQuery()
    filter.category = query.value("category")
    filter.campaign = query.value("campaign")
    filter.campaignId = query.value("campaign_id")
    filter.code = query.value("code")
    filter.ids = query.list("ids")
    filter.createdBefore = try query.date("created_at[before]")
    filter.createdAfter = try query.date("created_at[after]")
    filter.updatedBefore = try query.date("updated_at[before]")
    filter.updatedAfter = try query.date("updated_at[after]")
    filter.order = try query.order(VoucherQuery.orderFields)
    filter.limit = limit
    filter.offset = (page - 1) * limit
    let found = try engine.vouchers(matching: filter, holder: query.value("customer"))
    return APIResponder.json(
      WireVoucherList(
        vouchers: found.vouchers.map { WireVoucher($0, status: $0.status(at: now)) },
        total: found.total, page: page, limit: limit, counts: nil))
  }

  func voucher(_ request: HTTPRequest, _ code: String) throws -> HTTPResponse {
    _ = try APIQuery(request, known: [])
    let voucher = try existingVoucher(code)
    return APIResponder.json(WireVoucher(voucher, status: voucher.status(at: engine.clock.now())))
  }

  func createVoucher(_ request: HTTPRequest, _ caller: Caller, code: String?) throws
    -> HTTPResponse
  {
    let body = try decode(
      WireVoucherCreate.self, request, VoucherifyBodies.voucherCreate(extensions: extensions))
    let draft = try body.draft(pathCode: code, defaultCurrency: engine.defaultCurrency)
    let voucher = try engine.createVoucher(draft, actor: caller.key.name)
    return APIResponder.json(WireVoucher(voucher, status: voucher.status(at: engine.clock.now())))
  }

  func updateVoucher(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> HTTPResponse
  {
    let body = try decode(
      WireVoucherCreate.self, request, VoucherifyBodies.voucherUpdate(extensions: extensions))
    let current = try existingVoucher(code)
    let voucher = try engine.updateVoucher(
      code: code, try body.changes(of: current), actor: caller.key.name)
    return APIResponder.json(WireVoucher(voucher, status: voucher.status(at: engine.clock.now())))
  }

  func deleteVoucher(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> HTTPResponse
  {
    _ = try APIQuery(request, known: ["force"])
    try engine.deleteVoucher(code: code, actor: caller.key.name)
    return HTTPResponse(status: 204, body: Data())
  }

  func setActive(_ request: HTTPRequest, _ caller: Caller, _ code: String, _ active: Bool) throws
    -> HTTPResponse
  {
    try requireEmptyOrObject(request)
    let voucher = try engine.setVoucherActive(code: code, active, actor: caller.key.name)
    return APIResponder.json(WireVoucher(voucher, status: voucher.status(at: engine.clock.now())))
  }

  func addBalance(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> HTTPResponse
  {
    let body = try decode(WireBalanceRequest.self, request, VoucherifyBodies.balance)
    let voucher = try engine.addGiftBalance(
      code: code, amount: body.amount, sourceId: body.sourceId, reason: body.reason,
      actor: caller.key.name)
    return APIResponder.json(WireBalance(added: body.amount, voucher: voucher))
  }

  func transactions(_ request: HTTPRequest, _ code: String) throws -> HTTPResponse {
    let query = try APIQuery(request, known: ["limit", "order", "starting_after_id"])
    let limit = try query.integer("limit", in: 1...100) ?? 10
    let order = try query.order(["id"])
    let voucher = try existingVoucher(code)
    var entries = try engine.transactions(code: voucher.code).map {
      WireTransaction($0, voucher: voucher)
    }
    // Newest first, as Voucherify lists them, unless asked otherwise.
    if order?.descending != false { entries.reverse() }
    return APIResponder.json(
      WireCursorPage(
        entries, id: \.id, after: query.value("starting_after_id"), limit: limit, total: false))
  }

  func releaseSession(_ request: HTTPRequest, _ caller: Caller, _ code: String, _ key: String)
    throws -> HTTPResponse
  {
    _ = try APIQuery(request, known: [])
    try engine.releaseSession(code: code, key: key, actor: caller.key.name)
    return HTTPResponse(status: 204, body: Data())
  }

  func voucherRedemptions(_ request: HTTPRequest, _ code: String) throws -> HTTPResponse {
    let query = try APIQuery(request, known: extensions ? ["limit"] : [])
    let voucher = try existingVoucher(code)
    let limit = try query.integer("limit", in: 1...1000) ?? 100
    let found = try engine.redemptions(RedemptionQuery(code: voucher.code, limit: limit))
    return APIResponder.json(WireVoucherRedemptions(voucher: voucher, redemptions: found))
  }

  // MARK: Validation and redemption

  func validate(_ request: HTTPRequest, _ caller: Caller) throws -> HTTPResponse {
    let body = try redemptionRequest(request)
    let engineRequest = try body.engineValue(cashier: caller.key.name)
    let result = try engine.validate(engineRequest)
    return HTTPResponse(status: 200, body: WireValidation.json(result, request: engineRequest))
  }

  func redeem(_ request: HTTPRequest, _ caller: Caller) throws -> HTTPResponse {
    let key = try idempotencyKey(request)
    let body = try redemptionRequest(request)
    let outcome = try engine.redeem(
      try body.engineValue(cashier: caller.key.name), idempotencyKey: key)
    return APIResponder.json(WireRedeemResponse(outcome))
  }

  /// The fence: a write ordered with redemptions, so its answer holds for a redeem of the
  /// same attempt still in flight (a read could not promise that).
  func closeAttempt(_ request: HTTPRequest, _ key: String) throws -> HTTPResponse {
    try Self.checkIdempotencyKey(key)
    return APIResponder.json(WireAttemptFence(key: key, try engine.closeAttempt(key: key)))
  }

  /// `POST /v1/vouchers/{code}/validate`: one code, Voucherify's older answer.
  func validateOne(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> HTTPResponse
  {
    let engineRequest = try singleRequest(request, caller, code)
    let result = try engine.validate(engineRequest)
    return APIResponder.json(WireSingleValidation(result, request: engineRequest))
  }

  /// `POST /v1/vouchers/{code}/redemption`: one code, answered with the redemption.
  func redeemOne(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> HTTPResponse
  {
    _ = try APIQuery(request, known: ["tracking_id"])
    let key = try idempotencyKey(request)
    let outcome = try engine.redeem(try singleRequest(request, caller, code), idempotencyKey: key)
    return APIResponder.json(WireRedemption(outcome.redemption))
  }

  private func singleRequest(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> RedemptionRequest
  {
    let object =
      request.body.isEmpty
      ? JSONValue.emptyObject
      : try parsedObject(request, VoucherifyBodies.single(extensions: extensions))
    let body = try decode(WireSingleRequest.self, from: object)
    return try body.engineValue(code: code, cashier: caller.key.name)
  }

  func qualify(_ request: HTTPRequest, _ caller: Caller) throws -> HTTPResponse {
    let body = try decode(
      WireQualificationRequest.self, request,
      VoucherifyBodies.qualification(extensions: extensions))
    let scenario = body.scenario ?? "ALL"
    guard VoucherifyBodies.scenarios.contains(scenario) else {
      throw APIError.invalidPayload(
        "scenario \(scenario) is not supported: this server serves "
          + VoucherifyBodies.scenarios.sorted().joined(separator: " and "))
    }
    let limit = body.options?.limit ?? 5
    guard (1...100).contains(limit) else {
      throw APIError.invalidPayload("options.limit must be 1 to 100")
    }
    let items = try body.order?.cartItems() ?? []
    let entries = try engine.qualifications(
      customer: body.customer?.reference, items: items, heldOnly: scenario == "CUSTOMER_WALLET",
      customerRulesOnly: scenario == "AUDIENCE_ONLY", limit: 1000)
    return APIResponder.json(
      WireQualification(
        entries, after: body.options?.startingAfter, limit: limit, trackingId: body.trackingId,
        order: body.order))
  }

  func listRedemptions(_ request: HTTPRequest) throws -> HTTPResponse {
    var known: Set<String> = [
      "limit", "page", "result", "campaign", "customer", "order", "created_at[before]",
      "created_at[after]", "filters[voucher_code][conditions][$is]",
      "filters[customer_id][conditions][$is]", "filters[parent_redemption_id][conditions][$is]",
      "filters[result][conditions][$is]", "filters[campaign_name][conditions][$is]",
      "filters[junction]",
    ]
    // Ours: the same filters by plain names, and by the order's source id.
    if extensions {
      known.formUnion([
        "voucher_code", "voucher", "order_source_id", "filters[order_source_id][conditions][$is]",
        "terminal",
      ])
    }
    let query = try APIQuery(request, known: known, unsupported: ["filters*"])
    if let junction = query.value("filters[junction]"), junction.lowercased() != "and" {
      throw APIError.invalidQueryParams("filters[junction] \(junction) is not supported: use and")
    }
    var filter = RedemptionQuery(
      code: query.value("filters[voucher_code][conditions][$is]")
        ?? query.value("voucher_code") ?? query.value("voucher"),
      customer: query.value("filters[customer_id][conditions][$is]") ?? query.value("customer"),
      orderSourceId: query.value("filters[order_source_id][conditions][$is]")
        ?? query.value("order_source_id"))
    filter.parentId = query.value("filters[parent_redemption_id][conditions][$is]")
    filter.campaign =
      query.value("filters[campaign_name][conditions][$is]") ?? query.value("campaign")
    filter.createdBefore = try query.date("created_at[before]")
    filter.createdAfter = try query.date("created_at[after]")
    filter.terminal = query.value("terminal")
    filter.order = try query.order(RedemptionQuery.orderFields)
    filter.limit = try query.integer("limit", in: 1...1000) ?? 100
    filter.page = try query.integer("page", in: 1...1_000_000) ?? 1
    let results = [query.value("result"), query.value("filters[result][conditions][$is]")]
      .compactMap { $0?.uppercased() }
    for result in results where result != "SUCCESS" && result != "FAILURE" {
      throw APIError.invalidQueryParams("result must be SUCCESS or FAILURE")
    }
    // Refused redemptions are answered, not kept: none is a FAILURE here.
    if results.contains("FAILURE") { return APIResponder.json(WireRedemptionList([])) }
    do {
      return APIResponder.json(WireRedemptionList(try engine.redemptions(filter)))
    } catch let refusal as Refusal {
      // A filter naming a code or customer that does not exist matches nothing.
      switch refusal.reason {
      case .notFound, .customerNotFound: return APIResponder.json(WireRedemptionList([]))
      default: throw refusal
      }
    }
  }

  func redemption(_ request: HTTPRequest, _ id: String) throws -> HTTPResponse {
    _ = try APIQuery(request, known: [])
    guard let redemption = try engine.redemption(id: id) else {
      throw Refusal(code: nil, reason: .redemptionNotFound(id: id))
    }
    return APIResponder.json(WireRedemption(redemption))
  }

  func order(_ request: HTTPRequest, _ reference: String) throws -> HTTPResponse {
    _ = try APIQuery(request, known: [])
    guard let order = WireOrderDetail(try engine.orderRedemptions(reference)) else {
      throw APIError(
        code: 404, key: "not_found", message: "Resource not found",
        details: "No order \(reference): this server keeps the orders it redeemed under.",
        resourceType: "order", resourceId: reference)
    }
    return APIResponder.json(order)
  }

  // MARK: Rollback and reactivation

  /// `POST /v1/redemptions/{id}/rollback`; for a stacked parent, every part is rolled back.
  func rollback(_ request: HTTPRequest, _ caller: Caller, _ id: String) throws -> HTTPResponse {
    let query = try APIQuery(request, known: ["reason", "tracking_id"])
    let key = try idempotencyKey(request)
    let body =
      request.body.isEmpty
      ? WireReactivateRequest()
      : try decode(
        WireReactivateRequest.self, request, VoucherifyBodies.rollback(extensions: extensions))
    try checkCashierVoid(caller, id)
    let reason = body.reason ?? query.value("reason") ?? "Rolled back through the API"
    let rollbacks = try engine.rollback(
      redemptionId: id, reason: reason, by: body.by ?? caller.key.name, idempotencyKey: key)
    guard !rollbacks.isEmpty else { throw Refusal(code: nil, reason: .alreadyRolledBack) }
    let wire = try wireRollbacks(rollbacks, of: id)
    var first = wire.parts[0]
    if wire.parts.count > 1 { first.rollbacks = wire.parts }
    return APIResponder.json(first)
  }

  /// `POST /v1/redemptions/{parentId}/rollbacks`: a stacked redemption's parts.
  func rollbackStacked(_ request: HTTPRequest, _ caller: Caller, _ id: String) throws
    -> HTTPResponse
  {
    let query = try APIQuery(request, known: ["reason", "tracking_id"])
    let key = try idempotencyKey(request)
    let body =
      request.body.isEmpty
      ? WireReactivateRequest()
      : try decode(
        WireReactivateRequest.self, request, VoucherifyBodies.rollback(extensions: extensions))
    guard let parent = try engine.redemption(id: id) else {
      throw Refusal(code: nil, reason: .redemptionNotFound(id: id))
    }
    guard !parent.children.isEmpty else {
      throw APIError.invalidPayload(
        "\(id) is not a stacked redemption; roll it back with POST /v1/redemptions/\(id)/rollback")
    }
    try checkCashierVoid(caller, id)
    let reason = body.reason ?? query.value("reason") ?? "Rolled back through the API"
    let rollbacks = try engine.rollback(
      redemptionId: id, reason: reason, by: body.by ?? caller.key.name, idempotencyKey: key)
    guard !rollbacks.isEmpty else { throw Refusal(code: nil, reason: .alreadyRolledBack) }
    let wire = try wireRollbacks(rollbacks, of: id)
    return APIResponder.json(
      WireStackedRollback(parts: wire.parts, parent: wire.redemption ?? parent, reason: reason))
  }

  private func wireRollbacks(_ rollbacks: [Rollback], of id: String) throws -> (
    parts: [WireRollback], redemption: Redemption?
  ) {
    let redemption = try engine.redemption(id: id)
    let parts = redemption.map { $0.children.isEmpty ? [$0] : $0.children } ?? []
    let wire = rollbacks.map { rollback in
      let part = parts.first { $0.id == rollback.redemptionId }
      return WireRollback(rollback, redemption: part, isGift: part?.giftBalanceAfter != nil)
    }
    return (wire, redemption)
  }

  func reactivate(_ request: HTTPRequest, _ caller: Caller, _ code: String) throws
    -> HTTPResponse
  {
    let body = try decode(WireReactivateRequest.self, request, VoucherifyBodies.reactivate)
    guard let reason = body.reason else { throw APIError.invalidPayload("reason is required") }
    let rollback = try engine.reactivate(code: code, reason: reason, by: body.by ?? caller.key.name)
    let redemption = try engine.redemption(id: rollback.redemptionId)
    return APIResponder.json(
      WireRollback(rollback, redemption: redemption, isGift: redemption?.giftBalanceAfter != nil))
  }

  /// `GET /v1/me`: the key's name and role.
  func me(_ caller: Caller) -> HTTPResponse {
    APIResponder.json(WireCaller(name: caller.key.name, role: caller.key.role.rawValue))
  }

  /// `GET /v1/vouchers/{code}/history`: its uses and the uses given back, newest first.
  func history(_ request: HTTPRequest, _ code: String) throws -> HTTPResponse {
    _ = try APIQuery(request, known: [])
    let entries = try engine.history(code: code)
    return APIResponder.json(WireVoucherHistory(code: code.normalizedCode, entries))
  }

  /// A cashier key may roll back only its till's last sale still standing, made within
  /// `cashierVoidWindow`: the voids a till offers a cashier. Anything else needs support.
  ///
  /// - Throws: 403 naming the rule; 404 when there is no such redemption.
  func checkCashierVoid(_ caller: Caller, _ id: String) throws {
    guard caller.key.role < .support else { return }
    guard let sale = try engine.redemption(id: id) else {
      throw Refusal(code: nil, reason: .redemptionNotFound(id: id))
    }
    let minutes = Int(cashierVoidWindow / 60)
    guard let terminal = sale.channel.terminal, sale.parentId == nil else {
      throw APIError.cashierVoid("only a till's sale, and this one was made at no till")
    }
    guard engine.clock.now().timeIntervalSince(sale.date) <= cashierVoidWindow else {
      throw APIError.cashierVoid("only within \(minutes) minutes of the sale")
    }
    var later = RedemptionQuery(limit: 1000)
    later.terminal = terminal
    later.createdAfter = sale.date
    let standing = try engine.redemptions(later).filter {
      $0.status == .succeeded && $0.id != sale.id && $0.date >= sale.date
    }
    guard standing.isEmpty else {
      throw APIError.cashierVoid("only the till's last sale (\(terminal) has a later one)")
    }
  }

  // MARK: Helpers

  private func existingVoucher(_ code: String) throws -> Voucher {
    guard let voucher = try engine.voucher(code: code) else {
      throw Refusal(code: code, reason: .notFound(code: code.normalizedCode))
    }
    return voucher
  }

  /// Reads a JSON object body into `T` through `shape`: nulls are absent, and names the
  /// shape does not know (or refuses) are all named in one 400. The body is parsed once.
  func decode<T: Decodable>(_ type: T.Type, _ request: HTTPRequest, _ shape: BodyShape) throws
    -> T
  {
    try decode(type, from: parsedObject(request, shape))
  }

  /// The body of `POST /v1/validations` and `/v1/redemptions`, the hot routes: read straight
  /// from the parsed tree, or, when that declines, through the decoder, whose errors the
  /// client gets.
  func redemptionRequest(_ request: HTTPRequest) throws -> WireRedemptionRequest {
    let object = try parsedObject(request, VoucherifyBodies.stacked(extensions: extensions))
    if case .object(let members) = object, let body = WireRedemptionRequest(parsed: members) {
      return body
    }
    return try decode(WireRedemptionRequest.self, from: object)
  }

  /// The body parsed and normalized by `shape`.
  private func parsedObject(_ request: HTTPRequest, _ shape: BodyShape) throws -> JSONValue {
    guard !request.body.isEmpty else { throw APIError.invalidPayload("a JSON body is required") }
    let object: JSONValue
    var mayHoldControl = false
    do {
      object = try JSONValue.parse(request.body, mayHoldControl: &mayHoldControl)
    } catch {
      // Where and why, so a client's developer can find the fault in a long body.
      throw APIError.invalidPayload("the body is not valid JSON: \(error)")
    }
    guard case .object = object else {
      throw APIError.invalidPayload("the body must be a JSON object")
    }
    // The parser saw every byte: a body it found no control character in is not walked.
    if mayHoldControl { try RequestText.check(object) }
    var findings = BodyShape.Findings()
    let normalized = shape.normalized(object, findings: &findings)
    guard findings.isEmpty else { throw APIError.invalidPayload(findings.message) }
    return normalized
  }

  private func decode<T: Decodable>(_ type: T.Type, from object: JSONValue) throws -> T {
    do {
      return try JSONValueDecoder().decode(type, from: object)
    } catch let error as DecodingError {
      throw APIError.invalidPayload(Self.describe(error))
    }
  }

  private func requireEmptyOrObject(_ request: HTTPRequest) throws {
    guard !request.body.isEmpty else { return }
    guard case .object = try? JSONValue.parse(request.body) else {
      throw APIError.invalidPayload("the body must be empty or a JSON object")
    }
  }

  static func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
      return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "body" : text)
    }
    switch error {
    case .typeMismatch(let type, let context):
      return "\(path(context.codingPath)) must be \(describe(type, context.codingPath.last))"
    case .valueNotFound(let type, let context):
      return
        "\(path(context.codingPath)) must be \(describe(type, context.codingPath.last)), not null"
    case .keyNotFound(let key, let context):
      return "\(path(context.codingPath + [key])) is required"
    case .dataCorrupted(let context):
      return context.codingPath.isEmpty
        ? "the body is not valid JSON"
        : "\(path(context.codingPath)) has a value out of range or of the wrong kind"
    @unknown default:
      return "the body does not match the expected shape"
    }
  }

  /// What a value of `type` must be, for the member `key`: a whole number is said to be in
  /// minor units only where the member is an amount (a quantity or a page is not).
  private static func describe(_ type: Any.Type, _ key: (any CodingKey)?) -> String {
    switch type {
    case is Int64.Type, is Int.Type:
      key.map { isMoney($0.stringValue) } == true
        ? "a whole number (minor units)" : "a whole number"
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    case is Decimal.Type: "a number"
    default: "an object or list of the documented shape"
    }
  }

  /// Voucherify's money members: `amount`, `amount_off`, `amount_limit`, `price`, `credits`,
  /// `balance`, and the `…_amount` totals.
  private static func isMoney(_ name: String) -> Bool {
    name.hasPrefix("amount") || name.hasSuffix("_amount") || name.hasSuffix("Amount")
      || ["price", "credits", "balance"].contains(name)
  }

  private func filter(_ query: APIQuery) throws -> VoucherFilter {
    guard let text = query.value("status") ?? query.value("filter") else { return .all }
    guard let filter = VoucherFilter(rawValue: text.lowercased()) else {
      throw APIError.invalidQueryParams("status must be available, redeemed, expired or all")
    }
    return filter
  }

  private func idempotencyKey(_ request: HTTPRequest) throws -> String? {
    guard extensions, let key = request.header("Idempotency-Key") else { return nil }
    try Self.checkIdempotencyKey(key)
    return key
  }

  /// An idempotency key, which is also a redeem attempt's key for the fence.
  private static func checkIdempotencyKey(_ key: String) throws {
    guard !key.isEmpty, key.utf8.count <= 200,
      key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F })
    else {
      throw APIError.invalidPayload("Idempotency-Key must be 1–200 visible ASCII characters")
    }
  }
}
