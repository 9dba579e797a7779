import EngageWire
import Foundation
import Synchronization
import VoucherClient
import VoucherEngine
import VoucherRESTClient

/// `VoucherClient` over Voyado Engage v3 (a tenant, or `voucher-engine serve` under
/// `/api/v3/`).
///
/// What Engage offers and what the till does with it:
/// - Contacts by exact key only (email, mobile phone, member number, personal number); a
///   name finds nobody, and `MultipleMatches` names no contact, so the till says so.
/// - Vouchers by contact; a scanned number is matched against the open contact's list
///   (Engage redeems by id and looks nothing up by number).
/// - Validation on the till: the value off the total (never more than what is left), expiry,
///   already redeemed. Engage checks nothing else.
/// - Several vouchers are redeemed one at a time; when a later one is refused the earlier
///   ones are reactivated, and the refusal says so.
/// - No POST is ever re-sent; after a redeem without an answer the till reads the lists
///   (`resolve`) and waits out Engage's point of no return plus `grace`.
public final class EngageClient: VoucherClient {
  public let baseURL: URL
  let apikey: String
  /// `voucher-pos/VERSION`: Engage wants every caller named.
  public let userAgent: String
  public let readTimeout: TimeInterval
  /// Seconds a redeem may sit unread (in queues in front of Engage) before Engage begins it.
  public let grace: TimeInterval
  let transport: HTTPTransport
  private let state = Mutex(State())

  private struct State {
    /// The contact whose list a scanned number is matched against.
    var openContact: String?
    /// When each sale's first attempt was sent: a voucher redeemed since then by a lost
    /// attempt of the same sale counts as this sale's.
    var firstSent: [String: Date] = [:]
  }

  /// Engage's documented point of no return.
  public static let pointOfNoReturn: TimeInterval = 4.5
  /// The grace this till allows by default: 60 s, the client timeout Engage asks for. A
  /// request that has not begun 60 s after it was sent is taken to be one that never will;
  /// the figure is ours, not Engage's.
  public static let defaultGrace: TimeInterval = 60
  /// Difference allowed between the till's clock and Engage's when a `redeemedOn` is
  /// compared with when an attempt was sent.
  public static let clockSkew: TimeInterval = 5

  public init(
    baseURL: URL, apikey: String, userAgent: String = "voucher-pos/0.1.0",
    readTimeout: TimeInterval = 10, grace: TimeInterval = EngageClient.defaultGrace
  ) {
    self.baseURL = baseURL
    self.apikey = apikey
    self.userAgent = userAgent
    self.readTimeout = readTimeout
    self.grace = grace
    transport = HTTPTransport()
  }

  public var backendDescription: String { baseURL.absoluteString + " (Engage)" }

  public var capabilities: BackendCapabilities {
    BackendCapabilities(
      contactSearch: [.email, .phone, .memberNumber, .personalNumber], validation: .till,
      stacking: .oneByOne,
      redeemGuarantee: .pointOfNoReturn(seconds: Self.pointOfNoReturn, grace: grace),
      unRedeem: .reactivate, listsDaysSales: false)
  }

  // MARK: Contacts

  public func findContacts(_ query: String, limit: Int) async throws(ClientError) -> [Customer] {
    let text = query.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !text.isEmpty, limit > 0 else { return [] }
    let key: String
    if text.contains("@") {
      key = "email"
    } else if EngageClient.looksLikePhone(text) {
      key = "mobilePhone"
    } else if EngageClient.looksLikePersonalNumber(text) {
      key = "socialSecurityNumber"
    } else {
      key = "customKey"
    }
    let value =
      key == "mobilePhone" ? (ContactText.normalizePhone(text) ?? text) : text
    var answer = try await read(["contacts", "id"], query: [(key, value)])
    if answer.status == 404, key == "mobilePhone", !text.hasPrefix("+") {
      // `0701…` may be a member number that only looks like a phone number.
      answer = try await read(["contacts", "id"], query: [("customKey", text)])
    }
    switch answer.status {
    case 200:
      guard let guid = try? EngageJSON.decode(String.self, from: answer.body),
        let customer = try await contact(guid)
      else { throw .backendFailed("Engage sent an unreadable contact id") }
      return [customer]
    case 404: return []
    default:
      let error = Self.engageError(answer)
      if error?.errorCode == "MultipleMatches" {
        throw .rejected(
          Refusal(
            code: nil,
            reason: .invalidPayload(
              "Several contacts have this \(Self.word(for: key)); Engage names none of them. Search by another key (email, phone, member number or personal number)"
            )))
      }
      if let error, error.status == 400 {
        throw .rejected(Refusal(code: nil, reason: .invalidPayload(error.message)))
      }
      throw Self.failure(answer)
    }
  }

  public func contact(_ reference: String) async throws(ClientError) -> Customer? {
    let text = reference.trimmingCharacters(in: .whitespacesAndNewlines)
    guard EngageID.isGUID(text) else { return nil }
    let answer = try await read(["contacts", text])
    if answer.status == 404 || answer.status == 400 { return nil }
    guard answer.status == 200,
      let wire = try? EngageJSON.decode(EngageContact.self, from: answer.body)
    else { throw Self.failure(answer) }
    state.withLock { $0.openContact = wire.id }
    let name = [wire.attributes.firstName, wire.attributes.lastName].compactMap { $0 }
      .joined(separator: " ")
    var metadata = JSONValue.emptyObject
    if let number = wire.attributes.socialSecurityNumber {
      metadata = .object([(key: "personal_number", value: .string(number))])
    }
    return Customer(
      id: wire.id, sourceId: wire.attributes.externalId, name: name.isEmpty ? nil : name,
      email: wire.attributes.email, phone: wire.attributes.mobilePhone,
      memberNumber: wire.attributes.memberNumber, metadata: metadata,
      createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
  }

  // MARK: Vouchers

  public func vouchers(of customerId: String, filter: VoucherFilter, page: Int, limit: Int)
    async throws(ClientError) -> VoucherPage
  {
    state.withLock { $0.openContact = customerId }
    let now = Date()
    // The full list gives every tab's count; expired is computed here from `expiresOn`.
    let all = try await list(customerId, nil)
    var counts: [VoucherFilter: Int] = [:]
    for tab in VoucherFilter.allCases {
      counts[tab] = all.count { tab.includes(Self.status($0, now: now)) }
    }
    let items: [EngageRewardVoucher]
    switch filter {
    case .available: items = try await list(customerId, "available")
    case .redeemed: items = try await list(customerId, "redeemed")
    case .expired: items = all.filter { Self.status($0, now: now) == .expired }
    case .all: items = all
    }
    let page = max(1, page)
    let limit = max(1, limit)
    let listed = items.dropFirst((page - 1) * limit).prefix(limit).map {
      ListedVoucher.restored(
        voucher: Self.voucher($0, holder: customerId), status: Self.status($0, now: now))
    }
    return VoucherPage.restored(
      items: listed, counts: counts, total: items.count, page: page, limit: limit)
  }

  /// A scanned or typed number, matched against the open contact's list.
  /// Without an open contact nothing can be looked up, and a number missing from the open
  /// contact's list may still be someone else's: both are said as such, never as "no voucher".
  public func voucher(code: String) async throws(ClientError) -> Voucher? {
    let number = code.normalizedCode
    guard let contact = state.withLock({ $0.openContact }) else {
      throw .rejected(
        Refusal(
          code: number,
          reason: .invalidPayload(
            "Find the contact first: Engage finds a voucher only in its contact's list")))
    }
    guard
      let wire = try await list(contact, nil).first(where: {
        $0.voucherNumber.normalizedCode == number
      })
    else {
      throw .rejected(
        Refusal(
          code: number,
          reason: .invalidPayload("\(number) is not among this contact's vouchers in Engage")))
    }
    return Self.voucher(wire, holder: contact)
  }

  /// Validation on the till: Engage checks nothing before redeeming.
  public func validate(_ request: RedemptionRequest) async throws(ClientError) -> ValidationResult {
    guard let contact = request.customer else {
      throw .rejected(Refusal(code: nil, reason: .missingCustomer))
    }
    let all = try await list(contact, nil)
    return Self.evaluate(request, list: all, now: Date())
  }

  static func evaluate(_ request: RedemptionRequest, list: [EngageRewardVoucher], now: Date)
    -> ValidationResult
  {
    let order = request.items.reduce(Int64(0)) { $0 + $1.amount }
    var left = order
    var seen = Set<String>()
    var results: [RedeemableResult] = []
    var currency = "SEK"
    for code in request.codes {
      let number = code.code.normalizedCode
      guard seen.insert(number).inserted else {
        results.append(refused(number, .duplicatedRedeemables(code: number)))
        continue
      }
      guard let wire = list.first(where: { $0.voucherNumber.normalizedCode == number }) else {
        results.append(refused(number, .notFound(code: number)))
        continue
      }
      let voucher = voucher(wire, holder: request.customer)
      currency = voucher.currency
      let status = status(wire, now: now)
      var refusal: Reason?
      switch status {
      case .used:
        refusal = .quantityExceeded(
          lastUse: EngageJSON.date(wire.redeemedOn).map { UseRecord(date: $0, terminal: nil) })
      case .expired: refusal = .voucherExpired(expiredAt: voucher.expirationDate ?? now)
      default: break
      }
      var discount: Int64 = 0
      if refusal == nil {
        discount = min(wire.value.minorUnits ?? 0, left)
        left -= discount
      }
      results.append(
        .restored(
          code: number, voucher: voucher, status: status, refusal: refusal, discount: discount,
          giftCredits: 0))
    }
    let discounts = results.reduce(Int64(0)) { $0 + $1.discount }
    return .restored(
      valid: results.allSatisfy(\.isApplicable), redeemables: results, orderAmount: order,
      discountAmount: discounts, giftCredits: 0, totalAmount: order - discounts, customer: nil,
      currency: currency)
  }

  private static func refused(_ code: String, _ reason: Reason) -> RedeemableResult {
    .restored(code: code, voucher: nil, status: nil, refusal: reason, discount: 0, giftCredits: 0)
  }

  // MARK: Redeem

  public func redeem(_ attempt: RedeemAttempt, deadline: Date) async throws(ClientError)
    -> RedeemOutcome
  {
    let order = attempt.orderSourceId
    let (firstSent, isRetry) = state.withLock { state in
      let earlier = state.firstSent[order]
      let first = min(earlier ?? attempt.sentAt, attempt.sentAt)
      state.firstSent[order] = first
      return (first, earlier != nil)
    }
    let request = attempt.request
    guard let contact = request.customer else {
      throw .rejected(Refusal(code: nil, reason: .missingCustomer))
    }
    let all = try await list(contact, nil)
    // Vouchers of this sale redeemed since its first attempt was sent: an earlier attempt
    // whose answer was lost made them, so they count as this sale's, never as refusals.
    let numbers = Set(request.codes.map(\.code.normalizedCode))
    let mine = all.filter { wire in
      isRetry && numbers.contains(wire.voucherNumber.normalizedCode) && wire.redeemed
        && (EngageJSON.date(wire.redeemedOn).map {
          $0 >= firstSent.addingTimeInterval(-Self.clockSkew)
        } ?? false)
    }
    let mineIds = Set(mine.map(\.id))
    let checked = Self.evaluate(
      request,
      list: all.map { wire in
        var fresh = wire
        if mineIds.contains(wire.id) { fresh.redeemed = false }
        return fresh
      }, now: Date())
    if let refusal = checked.firstRefusal { throw .rejected(refusal) }
    var done: [(wire: EngageRewardVoucher, discount: Int64)] = []
    for entry in checked.redeemables {
      guard let voucher = entry.voucher else { continue }
      if let wire = mine.first(where: { $0.id == voucher.id }) {
        done.append((wire, entry.discount))
        continue
      }
      let timeLeft = deadline.timeIntervalSinceNow
      guard timeLeft > 0 else { throw .outcomeUnknown(orderSourceId: order) }
      let answer: HTTPTransport.Answer
      switch await send(
        "POST", ["reward-vouchers", voucher.id, "redeem"], timeout: timeLeft, isSafeToRepeat: false)
      {
      case .success(let value): answer = value
      case .failure(.notSent(let detail)):
        if done.isEmpty { throw .unreachable(detail) }
        // The earlier ones went through: give them back, or leave it to `resolve`.
        throw try await undo(
          done.map(\.wire), order: order, after: .unreachable(detail))
      case .failure(.timedOut), .failure(.lost):
        throw .outcomeUnknown(orderSourceId: order)
      }
      if answer.status == 200,
        let wire = try? EngageJSON.decode(EngageRewardVoucher.self, from: answer.body)
      {
        done.append((wire, entry.discount))
        continue
      }
      // A gateway or server error says nothing about whether Engage committed.
      if answer.status >= 500 { throw .outcomeUnknown(orderSourceId: order) }
      if answer.status == 200 { throw .outcomeUnknown(orderSourceId: order) }
      let error = Self.engageError(answer)
      if isRetry, error?.errorCode == "RewardVoucherAlreadyRedeemed",
        let wire = try? await current(voucher.id, contact: request.customer),
        let redeemedOn = EngageJSON.date(wire.redeemedOn),
        redeemedOn >= firstSent.addingTimeInterval(-Self.clockSkew)
      {
        // An earlier attempt of this sale, whose answer was lost, redeemed it.
        done.append((wire, entry.discount))
        continue
      }
      let refusal = Refusal(code: voucher.code, reason: Self.reason(error, voucher: voucher))
      if done.isEmpty { throw .rejected(refusal) }
      throw try await undo(done.map(\.wire), order: order, after: .rejected(refusal))
    }
    return RedeemOutcome.restored(
      redemption: Self.redemption(done, request: request, order: order), isReplay: false)
  }

  /// Reactivates the vouchers a refused sale had already redeemed and returns the error to
  /// throw, its sentence saying what was given back; when giving back fails, the outcome is
  /// unknown and `resolve` finishes the job.
  private func undo(_ redeemed: [EngageRewardVoucher], order: String, after error: ClientError)
    async throws(ClientError) -> ClientError
  {
    var given: [String] = []
    for wire in redeemed {
      let answer = await send(
        "POST", ["reward-vouchers", wire.id, "reactivate"], timeout: readTimeout,
        isSafeToRepeat: false)
      guard case .success(let value) = answer, value.status == 200 else {
        return .outcomeUnknown(orderSourceId: order)
      }
      given.append(wire.voucherNumber)
    }
    // Short, so that it fits beside the reason on the redeem screen's one line.
    let note = "\(given.joined(separator: ", ")) reactivated: nothing redeemed."
    if case .rejected(let refusal) = error {
      return .rejected(Refusal(code: refusal.code, reason: refusal.reason, note: note))
    }
    return error
  }

  /// Engage's guarantee: 4.5 s after a request began, the redeemed list is the truth for
  /// it; a request may sit `grace` seconds before it begins. Until both have passed since the
  /// attempt was sent, finding nothing proves nothing. A sale whose vouchers landed only in
  /// part is undone (the landed ones reactivated) before it is called not made.
  public func resolve(_ attempt: RedeemAttempt) async throws(ClientError) -> AttemptResolution {
    guard let contact = attempt.request.customer else { return .notMade }
    let order = attempt.orderSourceId
    let firstSent = state.withLock { min($0.firstSent[order] ?? attempt.sentAt, attempt.sentAt) }
    let all = try await list(contact, nil)
    var landed: [EngageRewardVoucher] = []
    for code in attempt.request.codes {
      let number = code.code.normalizedCode
      if let wire = all.first(where: { $0.voucherNumber.normalizedCode == number }),
        wire.redeemed, let on = EngageJSON.date(wire.redeemedOn),
        on >= firstSent.addingTimeInterval(-Self.clockSkew)
      {
        landed.append(wire)
      }
    }
    let checked = Self.evaluate(
      RedemptionRequest(
        codes: attempt.request.codes, customer: contact, items: attempt.request.items),
      list: all.map { wire in
        var fresh = wire
        fresh.redeemed = false
        return fresh
      }, now: attempt.sentAt)
    if landed.count == attempt.request.codes.count {
      let discounts = checked.redeemables.map(\.discount)
      return .made(
        Self.redemption(
          Array(zip(landed, discounts)).map { ($0.0, $0.1) }, request: attempt.request,
          order: order))
    }
    let surely = attempt.sentAt.addingTimeInterval(grace + Self.pointOfNoReturn)
    let now = Date()
    guard now >= surely else {
      let seconds = Int(surely.timeIntervalSince(now).rounded(.up))
      return .unknown(
        "Not redeemed so far; a request may still reach Engage: checking \(seconds) s more.")
    }
    if !landed.isEmpty {
      let error = try await undo(landed, order: order, after: .timedOut)
      if case .outcomeUnknown = error {
        return .unknown("Part of the sale was redeemed; giving it back failed, trying again.")
      }
    }
    return .notMade
  }

  public func redemptions(ofOrder orderSourceId: String) async throws(ClientError) -> [Redemption] {
    throw .backendFailed("Engage does not list redemptions by sale")
  }

  /// Engage's reactivate takes no reason; the voucher is looked up in the open contact's list.
  public func reactivate(code: String, reason: String, by: String?) async throws(ClientError)
    -> Rollback
  {
    guard let contact = state.withLock({ $0.openContact }) else {
      throw .rejected(
        Refusal(
          code: code,
          reason: .invalidPayload(
            "Open the contact first: Engage reactivates from a contact's list"
          )))
    }
    let number = code.normalizedCode
    guard
      let wire = try await list(contact, nil).first(where: {
        $0.voucherNumber.normalizedCode == number
      })
    else { throw .rejected(Refusal(code: number, reason: .notFound(code: number))) }
    let answer = await send(
      "POST", ["reward-vouchers", wire.id, "reactivate"], timeout: readTimeout,
      isSafeToRepeat: false)
    switch answer {
    case .failure(.notSent(let detail)): throw .unreachable(detail)
    case .failure(.timedOut): throw .timedOut
    case .failure(.lost(let detail)): throw .unreachable(detail)
    case .success(let value) where value.status == 200:
      let after = (try? EngageJSON.decode(EngageRewardVoucher.self, from: value.body)) ?? wire
      var voucher = Self.voucher(after, holder: contact)
      if after.reactivationCount == nil { voucher.reactivationCount += 1 }
      return Rollback.restored(
        id: "in Engage", redemptionId: wire.id, voucherId: wire.id,
        voucherCode: wire.voucherNumber, amount: wire.value.minorUnits ?? 0, reason: reason,
        by: by, date: Date(), reactivationsLeft: voucher.reactivationsLeft)
    case .success(let value):
      let error = Self.engageError(value)
      guard error != nil, value.status == 409 || value.status == 404 else {
        throw Self.failure(value)
      }
      throw .rejected(
        Refusal(code: number, reason: Self.reason(error, voucher: Self.voucher(wire, holder: nil))))
    }
  }

  public func isReachable() async -> Bool {
    // Any Engage answer (a 400 for the empty query) shows it is there and takes the key.
    if case .success(let answer) = await send(
      "GET", ["contacts", "id"], timeout: min(readTimeout, 3), isSafeToRepeat: true)
    {
      return answer.status < 500 && answer.status != 401
    }
    return false
  }
}
