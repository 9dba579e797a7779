import Foundation
import VoucherEngine

// Decoding what a Voucherify tenant sends: our own members (`currency`, `reactivation`,
// `rules`, amounts a tenant leaves out) may be missing, and are then given the value that
// says nothing more than the tenant said. Encoding stays synthesized (and hand-written in
// `Wire+JSONWritable.swift`).

extension KeyedDecodingContainer {
  func value<T: Decodable>(_ key: Key, or fallback: @autoclosure () -> T) throws -> T {
    try decodeIfPresent(T.self, forKey: key) ?? fallback()
  }
}

extension WireRedeemableResult {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    status = try c.decode(String.self, forKey: .status)
    id = try c.decode(String.self, forKey: .id)
    object = try c.value(.object, or: "voucher")
    result = try c.value(.result, or: WireRedeemableOutcome())
    voucher = try? c.decodeIfPresent(WireVoucher.self, forKey: .voucher)
    // Ours: a tenant states the amounts in `result` and `order` only.
    discountAmount = try c.value(.discountAmount, or: 0)
    giftCredits = try c.value(.giftCredits, or: 0)
  }
}

extension WireStackingRules {
  /// Informational: what a tenant leaves out keeps this server's value.
  public init(from decoder: any Decoder) throws {
    self.init()
    let c = try decoder.container(keyedBy: CodingKeys.self)
    redeemablesLimit = try c.value(.redeemablesLimit, or: redeemablesLimit)
    applicableRedeemablesLimit = try c.value(
      .applicableRedeemablesLimit, or: applicableRedeemablesLimit)
    applicableRedeemablesPerCategoryLimit = try c.value(
      .applicableRedeemablesPerCategoryLimit, or: applicableRedeemablesPerCategoryLimit)
    applicableExclusiveRedeemablesLimit = try c.value(
      .applicableExclusiveRedeemablesLimit, or: applicableExclusiveRedeemablesLimit)
    applicableExclusiveRedeemablesPerCategoryLimit = try c.value(
      .applicableExclusiveRedeemablesPerCategoryLimit,
      or: applicableExclusiveRedeemablesPerCategoryLimit)
    exclusiveCategories = try c.value(.exclusiveCategories, or: exclusiveCategories)
    jointCategories = try c.value(.jointCategories, or: jointCategories)
    redeemablesApplicationMode = try c.value(
      .redeemablesApplicationMode, or: redeemablesApplicationMode)
    redeemablesSortingRule = try c.value(.redeemablesSortingRule, or: redeemablesSortingRule)
    redeemablesProductsApplicationMode = try c.value(
      .redeemablesProductsApplicationMode, or: redeemablesProductsApplicationMode)
    redeemablesNoEffectRule = try c.value(.redeemablesNoEffectRule, or: redeemablesNoEffectRule)
    noEffectSkipCategories = try c.value(.noEffectSkipCategories, or: noEffectSkipCategories)
    noEffectRedeemAnywayCategories = try c.value(
      .noEffectRedeemAnywayCategories, or: noEffectRedeemAnywayCategories)
    redeemablesRollbackOrderMode = try c.value(
      .redeemablesRollbackOrderMode, or: redeemablesRollbackOrderMode)
  }
}

extension WireRedemptionGiftResult {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    balance = try c.value(.balance, or: 0)
    credits = try c.value(.credits, or: 0)
  }

  enum CodingKeys: String, CodingKey {
    case balance, credits
  }
}

extension WireValidation {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    valid = try c.decode(Bool.self, forKey: .valid)
    redeemables = try c.value(.redeemables, or: [])
    order = try c.value(.order, or: WireOrder())
    stackingRules = try c.value(.stackingRules, or: WireStackingRules())
    // Ours: a tenant's answer states no currency (its project has one).
    currency = try c.value(.currency, or: "")
    customer = try? c.decodeIfPresent(WireCustomer.self, forKey: .customer)
    session = try c.decodeIfPresent(WireSession.self, forKey: .session)
  }
}

extension WireCustomerList {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    object = try c.value(.object, or: "list")
    dataRef = try c.value(.dataRef, or: "customers")
    customers = try c.value(.customers, or: [])
    total = try c.value(.total, or: customers.count)
    hasMore = try c.value(.hasMore, or: false)
  }
}

extension WireRedeemResponse {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    redemptions = try c.value(.redemptions, or: [])
    parentRedemption = try c.decodeIfPresent(WireRedemption.self, forKey: .parentRedemption)
    order = try c.value(.order, or: WireOrder())
    inapplicableRedeemables = try c.value(.inapplicableRedeemables, or: [])
    skippedRedeemables = try c.value(.skippedRedeemables, or: [])
    // Ours: a tenant never answers a redeem with an earlier one.
    replayed = try c.value(.replayed, or: false)
  }
}
