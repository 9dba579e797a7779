import Dispatch
import EngageWire
import Foundation
import Synchronization
import VoucherAPI
import VoucherEngine
import VoucherServer

extension EngageDialect {
  /// Whether an engine voucher is an Engage reward voucher: bound to one contact, used
  /// once, worth a fixed amount off, with no product or minimum-order rule (Engage knows none
  /// and the till checks only value and expiry). Percent discounts and gift cards, which
  /// Engage's reward vouchers cannot express, are not listed.
  public static func isRewardVoucher(_ voucher: Voucher) -> Bool {
    guard voucher.holderId != nil, voucher.quantity == 1, voucher.applicableTo.isEmpty,
      voucher.inapplicableTo.isEmpty, case .discount(.amount(let value)) = voucher.kind
    else { return false }
    return (voucher.minOrderAmount ?? 0) <= value
  }

  /// `GET /api/v3/reward-vouchers[/available|/redeemed]?contactId=&offset=&count=`.
  func rewardVouchers(list: String?, _ request: HTTPRequest) throws -> HTTPResponse {
    guard let contactId = request.query("contactId"), !contactId.isEmpty else {
      throw EngageError(
        status: 400, errorCode: "InvalidContactId", message: "contactId is required.")
    }
    let offset = try Self.number("offset", request, default: 0, in: 0...Int.max)
    let count = try Self.number(
      "count", request, default: EngageRewardVoucherPage.defaultCount,
      in: 1...EngageRewardVoucherPage.maximumCount)
    let customer = try customer(guid: contactId)
    let now = engine.clock.now()
    var listed: [ListedVoucher] = []
    var page = 1
    while true {
      let found = try engine.vouchers(of: customer.id, filter: .all, page: page, limit: 1000)
      listed += found.items
      if found.items.count < 1000 { break }
      page += 1
    }
    let matching = listed.filter { entry in
      guard Self.isRewardVoucher(entry.voucher) else { return false }
      switch list {
      case "available": return entry.status == .active
      case "redeemed": return entry.status == .used
      default: return true
      }
    }
    let pageItems = matching.dropFirst(offset).prefix(count)
    let items = try pageItems.map { try rewardVoucher($0.voucher, now: now) }
    return Self.json(
      EngageRewardVoucherPage(
        count: items.count, offset: offset, items: items, totalCount: matching.count))
  }

  /// The wire form of a reward voucher, `redeemedOn` from its latest redemption.
  func rewardVoucher(_ voucher: Voucher, now: Date) throws -> EngageRewardVoucher {
    let redeemed = voucher.status(at: now) == .used
    var redeemedOn: Date?
    if redeemed {
      redeemedOn = try engine.store.read {
        try $0.latestSucceededRedemption(voucherId: voucher.id)
      }?
      .date
    }
    var value: Int64 = 0
    if case .discount(.amount(let amount)) = voucher.kind { value = amount }
    return EngageRewardVoucher(
      id: EngageID.guid(engineId: voucher.id, kind: .rewardVoucher) ?? voucher.id,
      voucherNumber: voucher.code, name: voucher.campaign,
      redeemedOn: redeemedOn.map { WireFormat.date($0) }, redeemed: redeemed,
      expiresOn: voucher.expirationDate.map { WireFormat.date($0) },
      value: EngageMoney(currency: voucher.currency, minorUnits: value),
      reactivationLimit: voucher.reactivationLimit, reactivationCount: voucher.reactivationCount)
  }

  /// The reward voucher behind a GUID: 400 `InvalidRewardVoucherId` for text that is no
  /// GUID, 404 `RewardVoucherNotFound` for one that names no reward voucher here.
  private func rewardVoucher(guid: String) throws -> Voucher {
    guard EngageID.isGUID(guid) else {
      throw EngageError(
        status: 400, errorCode: "InvalidRewardVoucherId",
        message: "“\(guid)” is not a reward voucher id.")
    }
    guard let id = EngageID.engineId(guid: guid, kind: .rewardVoucher),
      let voucher = try engine.store.read({ try $0.voucher(id: id) }),
      Self.isRewardVoucher(voucher)
    else {
      throw EngageError(
        status: 404, errorCode: "RewardVoucherNotFound",
        message: "No reward voucher has the id \(guid).")
    }
    return voucher
  }

  /// `POST /api/v3/reward-vouchers/{id}/redeem`, with Engage's point of no return.
  ///
  /// The redeem runs on a thread of its own under a fresh attempt key. If it has not
  /// answered within `pointOfNoReturn`, this handler asks the engine's fence about the key:
  /// the fence is a write ordered with the redeem by the database's write lock, so either
  /// the redeem committed first (then the answer is 200, however late) or the attempt is
  /// closed first, and the redeem, whenever it reaches the database, is refused and changes
  /// nothing (then 504 `GatewayTimeout`, and the voucher is surely not redeemed by it).
  func redeem(guid: String, _ request: HTTPRequest, key: APIKey) throws -> HTTPResponse {
    let voucher = try rewardVoucher(guid: guid)
    let now = engine.clock.now()
    try Self.checkRedeemable(voucher, now: now)
    var value: Int64 = 0
    if case .discount(.amount(let amount)) = voucher.kind { value = amount }
    let redemption = RedemptionRequest(
      codes: [CodeRequest(voucher.code)], customer: voucher.holderId,
      items: [CartItem(sku: "engage-reward-voucher", quantity: 1, price: value)],
      channel: Channel(terminal: nil, cashier: "engage \(key.appId)"))
    let attemptKey = "engage." + UUID().uuidString.lowercased()
    let answer = Mutex<Result<RedeemOutcome, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    let engine = engine
    Thread.detachNewThread {
      let result = Result { try engine.redeem(redemption, idempotencyKey: attemptKey) }
      answer.withLock { $0 = result }
      done.signal()
    }
    if done.wait(timeout: .now() + pointOfNoReturn) == .timedOut {
      switch try engine.closeAttempt(key: attemptKey) {
      case .made: break
      case .closed:
        throw EngageError(
          status: 504, errorCode: "GatewayTimeout",
          message:
            "The redeem did not complete within \(pointOfNoReturn) s and was stopped: the voucher was not redeemed by this request."
        )
      }
    } else if case .failure(let error) = answer.withLock({ $0 }) {
      throw Self.engageError(error, voucher: voucher, now: now)
    }
    return try current(voucher)
  }

  /// `POST /api/v3/reward-vouchers/{id}/reactivate`: the latest redemption rolled back, one
  /// use given back (counted against the voucher's reactivation limit, default 3).
  func reactivate(guid: String, _ request: HTTPRequest, key: APIKey) throws -> HTTPResponse {
    let voucher = try rewardVoucher(guid: guid)
    let now = engine.clock.now()
    do {
      try engine.reactivate(
        code: voucher.code, reason: "reactivated through the Engage API", by: key.appId)
    } catch {
      throw Self.engageError(error, voucher: voucher, now: now)
    }
    return try current(voucher)
  }

  /// The voucher as it is now: the 200 body of redeem and reactivate.
  private func current(_ voucher: Voucher) throws -> HTTPResponse {
    let now = engine.clock.now()
    let fresh = try engine.store.read { try $0.voucher(id: voucher.id) } ?? voucher
    return Self.json(try rewardVoucher(fresh, now: now))
  }

  private static func checkRedeemable(_ voucher: Voucher, now: Date) throws {
    switch voucher.status(at: now) {
    case .active: return
    case .used, .noBalance:
      throw EngageError(
        status: 409, errorCode: "RewardVoucherAlreadyRedeemed",
        message: "The reward voucher \(voucher.code) is already redeemed.")
    case .expired:
      throw EngageError(
        status: 409, errorCode: "RewardVoucherExpired",
        message: "The reward voucher \(voucher.code) has expired.")
    case .disabled, .notActiveYet:
      throw EngageError(
        status: 409, errorCode: "RewardVoucherNotActive",
        message: "The reward voucher \(voucher.code) cannot be used now.")
    }
  }

  /// An engine refusal in Engage's names.
  static func engageError(_ error: any Error, voucher: Voucher, now: Date) -> any Error {
    guard let refusal = error as? Refusal else { return error }
    let code = voucher.code
    switch refusal.reason {
    case .quantityExceeded, .alreadyRolledBack:
      return EngageError(
        status: 409, errorCode: "RewardVoucherAlreadyRedeemed",
        message: "The reward voucher \(code) is already redeemed.")
    case .voucherExpired:
      return EngageError(
        status: 409, errorCode: "RewardVoucherExpired",
        message: "The reward voucher \(code) has expired.")
    case .voucherStillActive:
      return EngageError(
        status: 409, errorCode: "RewardVoucherAlreadyActivated",
        message: "The reward voucher \(code) is not redeemed: nothing to reactivate.")
    case .reactivationLimitExceeded(let limit):
      return EngageError(
        status: 409, errorCode: "ReactivationLimitExceeded",
        message: "The reward voucher \(code) has been reactivated \(limit) times, its limit.")
    case .notFound:
      return EngageError(
        status: 404, errorCode: "RewardVoucherNotFound",
        message: "No reward voucher has the number \(code).")
    case .voucherDisabled, .voucherNotActive:
      return EngageError(
        status: 409, errorCode: "RewardVoucherNotActive",
        message: "The reward voucher \(code) cannot be used now.")
    default:
      return EngageError(
        status: 409, errorCode: "RewardVoucherRefused",
        message: CashierWords.sentence(for: refusal.reason, currency: voucher.currency))
    }
  }

  private static func number(
    _ name: String, _ request: HTTPRequest, default value: Int, in range: ClosedRange<Int>
  ) throws -> Int {
    guard let text = request.query(name), !text.isEmpty else { return value }
    guard let number = Int(text), range.contains(number) else {
      throw EngageError(
        status: 400, errorCode: "InvalidSearchQuery",
        message:
          "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound == Int.max ? "any" : String(range.upperBound))."
      )
    }
    return number
  }
}
