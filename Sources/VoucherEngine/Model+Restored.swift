import Foundation

// Public builders for values read back from elsewhere (a REST answer), where the engine did
// not make them. The memberwise initializers stay internal so the engine's own call sites
// keep their shape; these take the same fields.

extension Voucher {
  /// A voucher with every field given.
  public static func restored(
    id: String, code: String, campaign: String?, kind: VoucherKind, currency: String,
    holderId: String?, startDate: Date?, expirationDate: Date?, active: Bool, quantity: Int64?,
    redeemedQuantity: Int64, perCustomer: Int64?, minOrderAmount: Int64?,
    applicableTo: [String], inapplicableTo: [String], reactivationLimit: Int64,
    reactivationCount: Int64, metadata: JSONValue, createdAt: Date, updatedAt: Date,
    validity: ValidityRules = ValidityRules(), aggregatedAmountLimit: Int64? = nil,
    category: String? = nil, categoryId: String? = nil, campaignId: String? = nil,
    additionalInfo: String? = nil
  ) -> Voucher {
    Voucher(
      id: id, code: code, campaign: campaign, kind: kind, currency: currency, holderId: holderId,
      startDate: startDate, expirationDate: expirationDate, active: active, quantity: quantity,
      redeemedQuantity: redeemedQuantity, perCustomer: perCustomer,
      minOrderAmount: minOrderAmount, applicableTo: applicableTo, inapplicableTo: inapplicableTo,
      reactivationLimit: reactivationLimit, reactivationCount: reactivationCount,
      metadata: metadata, createdAt: createdAt, updatedAt: updatedAt, validity: validity,
      aggregatedAmountLimit: aggregatedAmountLimit, category: category, categoryId: categoryId,
      campaignId: campaignId, additionalInfo: additionalInfo)
  }
}

extension RedeemedOrder {
  /// An order with every field given.
  public static func restored(
    id: String, sourceId: String?, amount: Int64, discountAmount: Int64, giftCredits: Int64,
    totalAmount: Int64, items: [CartItem]
  ) -> RedeemedOrder {
    RedeemedOrder(
      id: id, sourceId: sourceId, amount: amount, discountAmount: discountAmount,
      giftCredits: giftCredits, totalAmount: totalAmount, items: items)
  }
}

extension Redemption {
  /// A redemption with every field given.
  public static func restored(
    id: String, parentId: String?, voucherId: String?, voucherCode: String?,
    customerId: String?, order: RedeemedOrder, amount: Int64, status: RedemptionStatus,
    channel: Channel, date: Date, giftBalanceAfter: Int64?, rollbackId: String?,
    children: [Redemption]
  ) -> Redemption {
    Redemption(
      id: id, parentId: parentId, voucherId: voucherId, voucherCode: voucherCode,
      customerId: customerId, order: order, amount: amount, status: status, channel: channel,
      date: date, giftBalanceAfter: giftBalanceAfter, rollbackId: rollbackId, children: children)
  }
}

extension RedeemOutcome {
  /// An outcome with every field given.
  public static func restored(redemption: Redemption, isReplay: Bool) -> RedeemOutcome {
    RedeemOutcome(redemption: redemption, isReplay: isReplay)
  }
}

extension Rollback {
  /// A rollback with every field given.
  public static func restored(
    id: String, redemptionId: String, voucherId: String, voucherCode: String, amount: Int64,
    reason: String, by: String?, date: Date, reactivationsLeft: Int64
  ) -> Rollback {
    Rollback(
      id: id, redemptionId: redemptionId, voucherId: voucherId, voucherCode: voucherCode,
      amount: amount, reason: reason, by: by, date: date, reactivationsLeft: reactivationsLeft)
  }
}

extension RedeemableResult {
  /// A per-code result with every field given.
  public static func restored(
    code: String, voucher: Voucher?, status: VoucherStatus?, refusal: Reason?, discount: Int64,
    giftCredits: Int64
  ) -> RedeemableResult {
    RedeemableResult(
      code: code, voucher: voucher, status: status, refusal: refusal, discount: discount,
      giftCredits: giftCredits)
  }
}

extension ValidationResult {
  /// A validation result with every field given.
  public static func restored(
    valid: Bool, redeemables: [RedeemableResult], orderAmount: Int64, discountAmount: Int64,
    giftCredits: Int64, totalAmount: Int64, customer: Customer?, currency: String
  ) -> ValidationResult {
    ValidationResult(
      valid: valid, redeemables: redeemables, orderAmount: orderAmount,
      discountAmount: discountAmount, giftCredits: giftCredits, totalAmount: totalAmount,
      customer: customer, currency: currency)
  }
}

extension ListedVoucher {
  /// A listed voucher with its status.
  public static func restored(voucher: Voucher, status: VoucherStatus) -> ListedVoucher {
    ListedVoucher(voucher: voucher, status: status)
  }
}

extension VoucherPage {
  /// A page with every field given.
  public static func restored(
    items: [ListedVoucher], counts: [VoucherFilter: Int], total: Int, page: Int, limit: Int
  ) -> VoucherPage {
    VoucherPage(items: items, counts: counts, total: total, page: page, limit: limit)
  }
}
