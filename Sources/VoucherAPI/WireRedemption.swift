import Foundation
import VoucherEngine

/// A voucher as a redemption names it: id and code.
public struct WireVoucherReference: Codable, Sendable, Equatable {
  public var id: String
  public var code: String
  public var object = "voucher"
}

/// A customer as a redemption names it.
public struct WireCustomerSummary: Codable, Sendable, Equatable {
  public var id: String
  public var object = "customer"
}

/// Voucherify's channel, with ours: the till and the cashier.
public struct WireChannel: Codable, Sendable, Equatable {
  @NullEncoded public var channelId: String?
  public var channelType = "API"
  public var terminal: String?
  public var cashier: String?

  enum CodingKeys: String, CodingKey {
    case terminal, cashier
    case channelId = "channel_id"
    case channelType = "channel_type"
  }

  public init(_ channel: Channel) {
    channelId = channel.terminal
    terminal = channel.terminal
    cashier = channel.cashier
  }

  var engineValue: Channel { Channel(terminal: terminal, cashier: cashier) }
}

/// Gift credits moved by a redemption (positive) or a rollback (negative), with ours: the
/// balance left after it.
public struct WireRedemptionGift: Codable, Sendable, Equatable {
  public var amount: Int64
  public var balance: Int64?
}

/// The children of a stacked redemption.
public struct WireRelatedRedemptions: Codable, Sendable, Equatable {
  public var redemptions: [WireRedemption]
}

/// Voucherify's redemption object, with ours: `rollback_id`, channel terminal and cashier,
/// the gift balance after, and the full children of a stacked parent.
public struct WireRedemption: Codable, Sendable, Equatable {
  public var id: String
  public var object = "redemption"
  public var date: String
  @NullEncoded public var customerId: String?
  @NullEncoded public var trackingId: String?
  public var metadata = JSONValue.emptyObject
  public var amount: Int64
  /// The parent's id for a child of a stacked redemption.
  @NullEncoded public var redemption: String?
  public var result = "SUCCESS"
  public var status: String
  public var order: WireOrder
  public var channel: WireChannel
  @NullEncoded public var customer: WireCustomerSummary?
  public var relatedObjectType: String
  public var relatedObjectId: String
  public var voucher: WireVoucherReference?
  public var gift: WireRedemptionGift?
  public var relatedRedemptions: WireRelatedRedemptions?
  public var rollbackId: String?
  /// Voucherify's name for `redemption` on a part of a stacked redemption.
  public var parentRedemptionId: String?

  enum CodingKeys: String, CodingKey {
    case id, object, date, metadata, amount, redemption, result, status, order, channel
    case customer, voucher, gift
    case parentRedemptionId = "parent_redemption_id"
    case customerId = "customer_id"
    case trackingId = "tracking_id"
    case relatedObjectType = "related_object_type"
    case relatedObjectId = "related_object_id"
    case relatedRedemptions = "related_redemptions"
    case rollbackId = "rollback_id"
  }

  public init(_ redemption: Redemption) {
    id = redemption.id
    date = WireFormat.date(redemption.date)
    customerId = redemption.customerId
    amount = redemption.amount
    self.redemption = redemption.parentId
    parentRedemptionId = redemption.parentId
    status = redemption.status.rawValue
    order = WireOrder(redemption.order, customerId: redemption.customerId)
    channel = WireChannel(redemption.channel)
    customer = redemption.customerId.map { WireCustomerSummary(id: $0) }
    if let voucherId = redemption.voucherId {
      relatedObjectType = "voucher"
      relatedObjectId = voucherId
      voucher = WireVoucherReference(id: voucherId, code: redemption.voucherCode ?? "")
    } else {
      relatedObjectType = "redemption"
      relatedObjectId = redemption.id
    }
    if let balance = redemption.giftBalanceAfter {
      gift = WireRedemptionGift(amount: redemption.amount, balance: balance)
    }
    if !redemption.children.isEmpty {
      relatedRedemptions = WireRelatedRedemptions(
        redemptions: redemption.children.map(WireRedemption.init))
    }
    rollbackId = redemption.rollbackId
  }

  /// The engine's redemption, or nil when the object is incomplete.
  public func engineValue() -> Redemption? {
    guard let date = WireFormat.date(from: date),
      let status = RedemptionStatus(rawValue: status)
    else { return nil }
    var children: [Redemption] = []
    for child in relatedRedemptions?.redemptions ?? [] {
      guard let value = child.engineValue() else { return nil }
      children.append(value)
    }
    return Redemption.restored(
      id: id, parentId: redemption, voucherId: voucher?.id, voucherCode: voucher?.code,
      customerId: customerId, order: order.engineValue(), amount: amount, status: status,
      channel: channel.engineValue, date: date, giftBalanceAfter: gift?.balance,
      rollbackId: rollbackId, children: children)
  }
}

/// `POST /v1/redemptions`, with ours: `replayed` (the first answer to the same order or
/// Idempotency-Key, given again).
public struct WireRedeemResponse: Codable, Sendable, Equatable {
  public var redemptions: [WireRedemption]
  public var parentRedemption: WireRedemption?
  public var order: WireOrder
  public var inapplicableRedeemables: [WireRedeemableResult] = []
  public var skippedRedeemables: [WireRedeemableResult] = []
  public var replayed: Bool

  enum CodingKeys: String, CodingKey {
    case redemptions, order, replayed
    case parentRedemption = "parent_redemption"
    case inapplicableRedeemables = "inapplicable_redeemables"
    case skippedRedeemables = "skipped_redeemables"
  }

  public init(_ outcome: RedeemOutcome) {
    redemptions = outcome.perCode.map(WireRedemption.init)
    let top = WireRedemption(outcome.redemption)
    parentRedemption = outcome.redemption.children.isEmpty ? nil : top
    order = top.order
    replayed = outcome.isReplay
  }

  /// The engine's outcome, or nil when the answer is incomplete.
  public func engineValue() -> RedeemOutcome? {
    if let parentRedemption {
      return parentRedemption.engineValue().map {
        RedeemOutcome.restored(redemption: $0, isReplay: replayed)
      }
    }
    guard redemptions.count == 1, let single = redemptions[0].engineValue() else { return nil }
    return RedeemOutcome.restored(redemption: single, isReplay: replayed)
  }
}

/// `GET /v1/redemptions`.
public struct WireRedemptionList: Codable, Sendable, Equatable {
  public var object = "list"
  public var dataRef = "redemptions"
  public var redemptions: [WireRedemption]
  public var total: Int

  enum CodingKeys: String, CodingKey {
    case object, redemptions, total
    case dataRef = "data_ref"
  }

  public init(_ redemptions: [Redemption]) {
    self.redemptions = redemptions.map(WireRedemption.init)
    total = redemptions.count
  }
}

/// `GET /v1/vouchers/{code}/redemption`: the use counts and the redemptions of one voucher.
public struct WireVoucherRedemptions: Codable, Sendable, Equatable {
  @NullEncoded public var quantity: Int64?
  public var redeemedQuantity: Int64
  public var object = "list"
  public var url: String
  public var dataRef = "redemption_entries"
  public var total: Int
  public var redemptionEntries: [WireRedemption]

  enum CodingKeys: String, CodingKey {
    case quantity, object, url, total
    case redeemedQuantity = "redeemed_quantity"
    case dataRef = "data_ref"
    case redemptionEntries = "redemption_entries"
  }

  public init(voucher: Voucher, redemptions: [Redemption]) {
    quantity = voucher.quantity
    redeemedQuantity = voucher.redeemedQuantity
    url = WireFormat.redemptionsPath(code: voucher.code)
    total = redemptions.count
    redemptionEntries = redemptions.map(WireRedemption.init)
  }
}

/// `POST /v1/redemptions/{id}/rollback` and (ours) `POST /v1/vouchers/{code}/reactivate`:
/// Voucherify's redemption rollback object, with ours: `by`, `reactivations_left`, and for a
/// stacked parent every child's rollback under `rollbacks`.
public struct WireRollback: Codable, Sendable, Equatable {
  public var id: String
  public var object = "redemption_rollback"
  public var date: String
  @NullEncoded public var customerId: String?
  @NullEncoded public var trackingId: String?
  public var metadata = JSONValue.emptyObject
  public var amount: Int64
  public var redemption: String
  public var reason: String
  public var result = "SUCCESS"
  public var status = "SUCCEEDED"
  public var order: WireOrder
  public var channel: WireChannel
  @NullEncoded public var customer: WireCustomerSummary?
  public var relatedObjectType = "voucher"
  public var relatedObjectId: String
  public var voucher: WireVoucherReference
  public var gift: WireRedemptionGift?
  public var by: String?
  public var reactivationsLeft: Int64
  public var rollbacks: [WireRollback]?

  enum CodingKeys: String, CodingKey {
    case id, object, date, metadata, amount, redemption, reason, result, status, order, channel
    case customer, voucher, gift, by, rollbacks
    case customerId = "customer_id"
    case trackingId = "tracking_id"
    case relatedObjectType = "related_object_type"
    case relatedObjectId = "related_object_id"
    case reactivationsLeft = "reactivations_left"
  }

  /// `redemption` is the redemption rolled back, when still readable (for its order).
  public init(_ rollback: Rollback, redemption: Redemption?, isGift: Bool) {
    id = rollback.id
    date = WireFormat.date(rollback.date)
    customerId = redemption?.customerId
    amount = rollback.amount
    self.redemption = rollback.redemptionId
    reason = rollback.reason
    order =
      redemption.map { WireOrder($0.order, customerId: $0.customerId) }
      ?? WireOrder(id: nil, sourceId: nil, amount: nil, items: nil)
    channel = WireChannel(redemption?.channel ?? Channel())
    customer = redemption?.customerId.map { WireCustomerSummary(id: $0) }
    relatedObjectId = rollback.voucherId
    voucher = WireVoucherReference(id: rollback.voucherId, code: rollback.voucherCode)
    if isGift { gift = WireRedemptionGift(amount: -rollback.amount, balance: nil) }
    by = rollback.by
    reactivationsLeft = rollback.reactivationsLeft
  }

  /// The engine's rollback, or nil when the object is incomplete.
  public func engineValue() -> Rollback? {
    guard let date = WireFormat.date(from: date) else { return nil }
    return Rollback.restored(
      id: id, redemptionId: redemption, voucherId: voucher.id, voucherCode: voucher.code,
      amount: amount, reason: reason, by: by, date: date, reactivationsLeft: reactivationsLeft)
  }
}

// Decoding what a Voucherify tenant sends (see `Wire+Decoding.swift`).
extension WireRedemption {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    object = try c.value(.object, or: "redemption")
    date = try c.value(.date, or: "")
    _customerId = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .customerId))
    _trackingId = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .trackingId))
    metadata = try c.value(.metadata, or: .emptyObject)
    amount = try c.value(.amount, or: 0)
    _redemption = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .redemption))
    parentRedemptionId = try c.decodeIfPresent(String.self, forKey: .parentRedemptionId)
    result = try c.value(.result, or: "SUCCESS")
    status = try c.value(.status, or: result == "SUCCESS" ? "SUCCEEDED" : "FAILED")
    order = try c.value(.order, or: WireOrder())
    channel = try c.value(.channel, or: WireChannel(Channel()))
    _customer = NullEncoded(
      wrappedValue: try? c.decodeIfPresent(WireCustomerSummary.self, forKey: .customer))
    relatedObjectType = try c.value(.relatedObjectType, or: "voucher")
    relatedObjectId = try c.value(.relatedObjectId, or: "")
    voucher = try? c.decodeIfPresent(WireVoucherReference.self, forKey: .voucher)
    gift = try? c.decodeIfPresent(WireRedemptionGift.self, forKey: .gift)
    relatedRedemptions = try? c.decodeIfPresent(
      WireRelatedRedemptions.self, forKey: .relatedRedemptions)
    rollbackId = try c.decodeIfPresent(String.self, forKey: .rollbackId)
  }
}

extension WireRollback {
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    id = try c.decode(String.self, forKey: .id)
    object = try c.value(.object, or: "redemption_rollback")
    date = try c.value(.date, or: "")
    _customerId = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .customerId))
    _trackingId = NullEncoded(wrappedValue: try c.decodeIfPresent(String.self, forKey: .trackingId))
    metadata = try c.value(.metadata, or: .emptyObject)
    amount = try c.value(.amount, or: 0)
    redemption = try c.value(.redemption, or: "")
    reason = try c.value(.reason, or: "")
    result = try c.value(.result, or: "SUCCESS")
    status = try c.value(.status, or: result == "SUCCESS" ? "SUCCEEDED" : "FAILED")
    order = try c.value(.order, or: WireOrder())
    channel = try c.value(.channel, or: WireChannel(Channel()))
    _customer = NullEncoded(
      wrappedValue: try? c.decodeIfPresent(WireCustomerSummary.self, forKey: .customer))
    relatedObjectType = try c.value(.relatedObjectType, or: "voucher")
    relatedObjectId = try c.value(.relatedObjectId, or: "")
    voucher = try c.value(.voucher, or: WireVoucherReference(id: relatedObjectId, code: ""))
    gift = try? c.decodeIfPresent(WireRedemptionGift.self, forKey: .gift)
    by = try c.decodeIfPresent(String.self, forKey: .by)
    // Ours: a tenant's rollback has no reactivation limit to report.
    reactivationsLeft = try c.value(.reactivationsLeft, or: 0)
    rollbacks = try c.decodeIfPresent([WireRollback].self, forKey: .rollbacks)
  }
}
