import Foundation
import VoucherEngine

// Answers of the Voucherify routes that are read by shops, not by the till's hot path:
// encoded through `Encodable` (no hand-written writer).

/// A page of a list paged by id (`starting_after_id`): whether more follow, and the cursor.
public struct WireCursorPage<Element: Codable & Sendable & Equatable>: Codable, Sendable,
  Equatable
{
  public var object = "list"
  public var dataRef = "data"
  public var data: [Element]
  public var total: Int?
  public var hasMore: Bool
  @NullEncoded public var moreStartingAfter: String?

  enum CodingKeys: String, CodingKey {
    case object, data, total
    case dataRef = "data_ref"
    case hasMore = "has_more"
    case moreStartingAfter = "more_starting_after"
  }

  /// The page of `all` after the element with id `after` (from the start when nil), at most
  /// `limit` long.
  public init(
    _ all: [Element], id: (Element) -> String, after: String?, limit: Int, total: Bool
  ) {
    var rest = all[...]
    if let after, let index = all.firstIndex(where: { id($0) == after }) {
      rest = all[(index + 1)...]
    }
    data = Array(rest.prefix(limit))
    hasMore = rest.count > limit
    moreStartingAfter = hasMore ? data.last.map(id) : nil
    self.total = total ? all.count : nil
  }
}

/// One gift card transaction (`GET /v1/vouchers/{code}/transactions`).
public struct WireTransaction: Codable, Sendable, Equatable {
  public var id: String
  @NullEncoded public var sourceId: String?
  public var voucherId: String
  @NullEncoded public var campaignId: String?
  @NullEncoded public var source: String? = "API"
  @NullEncoded public var reason: String?
  @NullEncoded public var relatedTransactionId: String?
  public var createdAt: String
  public var type: String
  public var details: Details

  public struct Details: Codable, Sendable, Equatable {
    public var balance: Balance
    public var order: Reference?
    public var redemption: Reference?
    public var rollback: Reference?
  }

  public struct Balance: Codable, Sendable, Equatable {
    public var type = "gift_voucher"
    /// Positive for what was added or given back, negative for what was spent.
    public var amount: Int64
    @NullEncoded public var balance: Int64?
    public var object = "balance"
    public var relatedObject: WireBalance.RelatedObject

    enum CodingKeys: String, CodingKey {
      case type, amount, balance, object
      case relatedObject = "related_object"
    }
  }

  public struct Reference: Codable, Sendable, Equatable {
    public var id: String?
    public var sourceId: String?

    enum CodingKeys: String, CodingKey {
      case id
      case sourceId = "source_id"
    }
  }

  enum CodingKeys: String, CodingKey {
    case id, source, reason, type, details
    case sourceId = "source_id"
    case voucherId = "voucher_id"
    case campaignId = "campaign_id"
    case relatedTransactionId = "related_transaction_id"
    case createdAt = "created_at"
  }

  public init(_ transaction: VoucherTransaction, voucher: Voucher) {
    id = transaction.id
    voucherId = voucher.id
    campaignId = voucher.campaignId
    reason = transaction.reason
    createdAt = WireFormat.date(transaction.date)
    let related = WireBalance.RelatedObject(id: voucher.id)
    switch transaction.kind {
    case .redemption:
      type = "CREDITS_REDEMPTION"
      sourceId = transaction.sourceId
      details = Details(
        balance: Balance(
          amount: -transaction.amount, balance: transaction.balanceAfter, relatedObject: related),
        order: transaction.sourceId.map { Reference(id: nil, sourceId: $0) },
        redemption: Reference(id: transaction.id, sourceId: nil), rollback: nil)
    case .refund:
      type = "CREDITS_REFUND"
      relatedTransactionId = transaction.relatedId
      details = Details(
        balance: Balance(
          amount: transaction.amount, balance: transaction.balanceAfter, relatedObject: related),
        order: nil, redemption: transaction.relatedId.map { Reference(id: $0, sourceId: nil) },
        rollback: Reference(id: transaction.id, sourceId: nil))
    case .addition:
      type = "CREDITS_ADDITION"
      sourceId = transaction.sourceId
      details = Details(
        balance: Balance(
          amount: transaction.amount, balance: transaction.balanceAfter, relatedObject: related),
        order: nil, redemption: nil, rollback: nil)
    }
  }
}

/// `POST /v1/redemptions/{id}/rollbacks`: every part's rollback, and the parent's.
public struct WireStackedRollback: Codable, Sendable, Equatable {
  public var rollbacks: [WireRollback]
  public var parentRollback: WireRollback
  public var order: WireOrder

  enum CodingKeys: String, CodingKey {
    case rollbacks, order
    case parentRollback = "parent_rollback"
  }

  public init(parts: [WireRollback], parent: Redemption, reason: String) {
    rollbacks = parts
    var whole = parts[0]
    whole.id = "rr_" + parent.id
    whole.redemption = parent.id
    whole.amount = parts.reduce(0) { $0 + $1.amount }
    whole.relatedObjectType = "redemption"
    whole.relatedObjectId = parent.id
    whole.reason = reason
    whole.gift = nil
    parentRollback = whole
    order = WireOrder(parent.order, customerId: parent.customerId)
  }
}

/// `GET /v1/orders/{id}`: the order and its `redemptions` map, keyed by the redemption (the
/// parent of a stacked one) made under it.
public struct WireOrderDetail: Codable, Sendable, Equatable {
  public var id: String
  @NullEncoded public var sourceId: String?
  public var status = "PAID"
  public var amount: Int64
  public var discountAmount: Int64
  public var totalDiscountAmount: Int64
  public var totalAmount: Int64
  public var appliedDiscountAmount: Int64
  public var totalAppliedDiscountAmount: Int64
  public var items: [WireOrderItem]
  public var metadata = JSONValue.emptyObject
  public var object = "order"
  public var createdAt: String
  @NullEncoded public var customerId: String?
  public var redemptions: [String: Entry]

  public struct Entry: Codable, Sendable, Equatable {
    public var date: String
    @NullEncoded public var rollbackId: String?
    public var relatedObjectType: String
    public var relatedObjectId: String
    public var stacked: [String]?

    enum CodingKeys: String, CodingKey {
      case date, stacked
      case rollbackId = "rollback_id"
      case relatedObjectType = "related_object_type"
      case relatedObjectId = "related_object_id"
    }
  }

  enum CodingKeys: String, CodingKey {
    case id, status, amount, items, metadata, object, redemptions
    case sourceId = "source_id"
    case discountAmount = "discount_amount"
    case totalDiscountAmount = "total_discount_amount"
    case totalAmount = "total_amount"
    case appliedDiscountAmount = "applied_discount_amount"
    case totalAppliedDiscountAmount = "total_applied_discount_amount"
    case createdAt = "created_at"
    case customerId = "customer_id"
  }

  /// The order of `redemptions` (newest first, all under one order); nil when there are
  /// none.
  public init?(_ redemptions: [Redemption]) {
    guard let first = redemptions.last else { return nil }
    let order = first.order
    id = order.id
    sourceId = order.sourceId
    amount = order.amount
    discountAmount = order.discountAmount
    totalDiscountAmount = order.discountAmount
    appliedDiscountAmount = order.discountAmount
    totalAppliedDiscountAmount = order.discountAmount
    totalAmount = order.totalAmount
    items = order.items.map(WireOrderItem.init)
    createdAt = WireFormat.date(first.date)
    customerId = first.customerId
    var map: [String: Entry] = [:]
    for redemption in redemptions {
      map[redemption.id] = Entry(
        date: WireFormat.date(redemption.date), rollbackId: redemption.rollbackId,
        relatedObjectType: redemption.voucherId == nil ? "redemption" : "voucher",
        relatedObjectId: redemption.voucherId ?? redemption.id,
        stacked: redemption.children.isEmpty ? nil : redemption.children.map(\.id))
    }
    self.redemptions = map
  }
}

/// `POST /v1/qualifications`: the redeemables that qualify, as Voucherify lists them.
public struct WireQualification: Codable, Sendable, Equatable {
  public var redeemables: WireCursorPage<Redeemable>
  @NullEncoded public var trackingId: String?
  public var order: WireOrder?
  public var stackingRules = WireStackingRules()

  enum CodingKeys: String, CodingKey {
    case redeemables, order
    case trackingId = "tracking_id"
    case stackingRules = "stacking_rules"
  }

  public struct Redeemable: Codable, Sendable, Equatable {
    public var id: String
    public var object = "voucher"
    public var createdAt: String?
    public var result: WireRedeemableOutcome?
    public var metadata: JSONValue?
    /// Voucherify's category objects; this server keeps a voucher's category as a name only.
    public var categories: [JSONValue]? = []
    @NullEncoded public var campaignName: String?
    @NullEncoded public var campaignId: String?
    public var name: String?

    enum CodingKeys: String, CodingKey {
      case id, object, result, metadata, categories, name
      case createdAt = "created_at"
      case campaignName = "campaign_name"
      case campaignId = "campaign_id"
    }

    public init(_ entry: RedeemableResult, currency: String) {
      let voucher = entry.voucher!
      id = voucher.code
      createdAt = WireFormat.date(voucher.createdAt)
      result = WireRedeemableOutcome(entry, currency: currency)
      metadata = voucher.metadata
      campaignName = voucher.campaign
      campaignId = voucher.campaignId
      name = voucher.code
    }
  }

  public init(
    _ entries: [RedeemableResult], after: String?, limit: Int, trackingId: String?,
    order: WireOrder?
  ) {
    let all = entries.map { Redeemable($0, currency: $0.voucher?.currency ?? "SEK") }
    redeemables = WireCursorPage(all, id: \.id, after: after, limit: limit, total: true)
    self.trackingId = trackingId
    self.order = order
  }
}
