import EngageWire
import Foundation
import VoucherClient
import VoucherEngine
import VoucherRESTClient

/// Engage's values as the engine's, and Engage's refusals as the engine's reasons.
extension EngageClient {
  static func status(_ wire: EngageRewardVoucher, now: Date) -> VoucherStatus {
    if wire.redeemed { return .used }
    if let end = EngageJSON.date(wire.expiresOn), now > end { return .expired }
    return .active
  }

  /// The reactivation limit and count come from `voucher-engine serve`; Engage publishes
  /// neither, and there the till counts on Engage's default limit (3) and no reactivation.
  static func voucher(_ wire: EngageRewardVoucher, holder: String?) -> Voucher {
    .restored(
      id: wire.id, code: wire.voucherNumber, campaign: wire.name,
      kind: .discount(.amount(wire.value.minorUnits ?? 0)), currency: wire.value.currency,
      holderId: holder, startDate: nil, expirationDate: EngageJSON.date(wire.expiresOn),
      active: true, quantity: 1, redeemedQuantity: wire.redeemed ? 1 : 0, perCustomer: nil,
      minOrderAmount: nil, applicableTo: [], inapplicableTo: [],
      reactivationLimit: wire.reactivationLimit ?? 3,
      reactivationCount: wire.reactivationCount ?? 0,
      metadata: .emptyObject, createdAt: Date(timeIntervalSince1970: 0),
      updatedAt: Date(timeIntervalSince1970: 0))
  }

  static func redemption(
    _ done: [(wire: EngageRewardVoucher, discount: Int64)], request: RedemptionRequest,
    order: String
  ) -> Redemption {
    let amount = request.items.reduce(Int64(0)) { $0 + $1.amount }
    let discount = done.reduce(Int64(0)) { $0 + $1.discount }
    let redeemedOrder = RedeemedOrder.restored(
      id: order, sourceId: order, amount: amount, discountAmount: discount, giftCredits: 0,
      totalAmount: amount - discount, items: request.items)
    let parts = done.map { entry in
      Redemption.restored(
        id: "engage-\(entry.wire.id)", parentId: done.count > 1 ? "engage-\(order)" : nil,
        voucherId: entry.wire.id, voucherCode: entry.wire.voucherNumber,
        customerId: request.customer, order: redeemedOrder, amount: entry.discount,
        status: .succeeded, channel: request.channel,
        date: EngageJSON.date(entry.wire.redeemedOn) ?? Date(), giftBalanceAfter: nil,
        rollbackId: nil, children: [])
    }
    guard parts.count > 1 else { return parts[0] }
    return .restored(
      id: "engage-\(order)", parentId: nil, voucherId: nil, voucherCode: nil,
      customerId: request.customer, order: redeemedOrder, amount: discount, status: .succeeded,
      channel: request.channel, date: parts.last!.date, giftBalanceAfter: nil, rollbackId: nil,
      children: parts)
  }

  /// Engage's refusal in the engine's reasons, so the till words it as for any back end.
  static func reason(_ error: EngageError?, voucher: Voucher) -> Reason {
    switch error?.errorCode {
    case "RewardVoucherAlreadyRedeemed": .quantityExceeded(lastUse: nil)
    case "RewardVoucherExpired": .voucherExpired(expiredAt: voucher.expirationDate ?? Date())
    case "RewardVoucherNotFound", "InvalidRewardVoucherId": .notFound(code: voucher.code)
    case "RewardVoucherAlreadyActivated": .voucherStillActive
    case "ReactivationLimitExceeded":
      .invalidPayload("Cannot reactivate: Engage's reactivation limit for this voucher is reached")
    case "RewardVoucherNotActive": .voucherDisabled
    default: .invalidPayload("Engage refused it: \(error?.message ?? "no reason given")")
    }
  }

  static func word(for key: String) -> String {
    switch key {
    case "email": "email"
    case "mobilePhone": "phone number"
    case "socialSecurityNumber": "personal number"
    default: "member number"
    }
  }

  /// `+46…`, `07…`, `0046…`: a phone number; member numbers rarely start with 0.
  static func looksLikePhone(_ text: String) -> Bool {
    (text.hasPrefix("+") || text.hasPrefix("0")) && ContactText.normalizePhone(text) != nil
  }

  /// `YYMMDD-NNNN`, `YYYYMMDD-NNNN`: a personal number (the dash or plus tells it from a
  /// member number).
  static func looksLikePersonalNumber(_ text: String) -> Bool {
    let digits = text.filter { $0 != "-" && $0 != "+" }
    return (text.contains("-") || text.contains("+")) && (digits.count == 10 || digits.count == 12)
      && digits.allSatisfy { $0.isASCII && $0.isNumber }
  }
}
