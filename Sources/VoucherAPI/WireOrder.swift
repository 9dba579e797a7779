import Foundation
import VoucherEngine

/// One line of Voucherify's order: `product_id` (or `sku_id`), `quantity`, `price` (unit, minor
/// units) and `amount` (line total).
public struct WireOrderItem: Codable, Sendable, Equatable {
  public var productId: String?
  public var skuId: String?
  /// The shop's own product or SKU id: the line's product when neither id above is given.
  public var sourceId: String?
  public var quantity: Int64?
  public var price: Int64?
  public var amount: Int64?
  public var object: String?

  enum CodingKeys: String, CodingKey {
    case quantity, price, amount, object
    case productId = "product_id"
    case skuId = "sku_id"
    case sourceId = "source_id"
  }

  public init(_ item: CartItem) {
    productId = item.sku
    quantity = item.quantity
    price = item.price
    amount = item.quantity * item.price
    object = "order_item"
  }

  /// The engine's cart line. A line with only `amount` is one unit at that price.
  public func engineValue(index: Int) throws(APIError) -> CartItem {
    guard let sku = productId ?? skuId ?? sourceId, !sku.isEmpty else {
      throw .invalidPayload("order.items[\(index)] needs a product_id, sku_id or source_id")
    }
    let quantity = self.quantity ?? 1
    guard quantity > 0, quantity <= CartItem.maximumQuantity else {
      throw .invalidPayload(
        "order.items[\(index)].quantity must be 1 to \(CartItem.maximumQuantity)")
    }
    var unit = price
    if unit == nil, let amount, amount % quantity == 0 { unit = amount / quantity }
    guard let unit else {
      throw .invalidPayload("order.items[\(index)] needs a price (or an amount)")
    }
    guard unit >= 0, unit <= Money.maximum / CartItem.maximumQuantity else {
      throw .invalidPayload("order.items[\(index)].price is out of range")
    }
    if let amount, amount != unit * quantity {
      throw .invalidPayload("order.items[\(index)].amount is not quantity × price")
    }
    return CartItem(sku: sku, quantity: quantity, price: unit)
  }
}

/// Voucherify's order object, in requests and answers; `gift_credits` is ours.
public struct WireOrder: Codable, Sendable, Equatable {
  public var id: String?
  public var sourceId: String?
  public var amount: Int64?
  public var discountAmount: Int64?
  public var totalDiscountAmount: Int64?
  public var appliedDiscountAmount: Int64?
  public var totalAppliedDiscountAmount: Int64?
  public var totalAmount: Int64?
  public var giftCredits: Int64?
  public var items: [WireOrderItem]?
  public var object: String?
  public var customerId: String?
  public var status: String?
  public var metadata: JSONValue?

  enum CodingKeys: String, CodingKey {
    case id, amount, items, object, status, metadata
    case sourceId = "source_id"
    case discountAmount = "discount_amount"
    case totalDiscountAmount = "total_discount_amount"
    case appliedDiscountAmount = "applied_discount_amount"
    case totalAppliedDiscountAmount = "total_applied_discount_amount"
    case totalAmount = "total_amount"
    case giftCredits = "gift_credits"
    case customerId = "customer_id"
  }

  public init(
    id: String? = nil, sourceId: String? = nil, amount: Int64? = nil, items: [WireOrderItem]? = nil
  ) {
    self.id = id
    self.sourceId = sourceId
    self.amount = amount
    self.items = items
  }

  /// The order of a stored redemption.
  public init(_ order: RedeemedOrder, customerId: String?) {
    id = order.id
    sourceId = order.sourceId
    amount = order.amount
    discountAmount = order.discountAmount
    totalDiscountAmount = order.discountAmount
    appliedDiscountAmount = order.discountAmount
    totalAppliedDiscountAmount = order.discountAmount
    totalAmount = order.totalAmount
    giftCredits = order.giftCredits
    items = order.items.map(WireOrderItem.init)
    object = "order"
    self.customerId = customerId
    status = "PAID"
  }

  /// The totals of a validation.
  public init(_ result: ValidationResult, request: RedemptionRequest) {
    sourceId = request.orderSourceId
    amount = result.orderAmount
    discountAmount = result.discountAmount
    totalDiscountAmount = result.discountAmount
    appliedDiscountAmount = result.discountAmount
    totalAppliedDiscountAmount = result.discountAmount
    totalAmount = result.totalAmount
    giftCredits = result.giftCredits
    items = request.items.map(WireOrderItem.init)
    object = "order"
    customerId = result.customer?.id
  }

  /// The cart lines of a request. An order with an `amount` and no items is one line
  /// (`_order`) of that amount, as Voucherify lets a shop send just a total.
  public func cartItems() throws(APIError) -> [CartItem] {
    if let items, !items.isEmpty {
      guard items.count <= RedemptionRequest.maximumItems else {
        throw .invalidPayload("at most \(RedemptionRequest.maximumItems) order items")
      }
      var lines: [CartItem] = []
      for (index, item) in items.enumerated() { lines.append(try item.engineValue(index: index)) }
      if let amount, amount != lines.reduce(0, { $0 + $1.amount }) {
        throw .invalidPayload("order.amount is not the sum of its items")
      }
      return lines
    }
    guard let amount else { throw .invalidPayload("order needs items or an amount") }
    guard amount >= 0, amount <= Money.maximum / CartItem.maximumQuantity else {
      throw .invalidPayload("order.amount is out of range")
    }
    return [CartItem(sku: "_order", quantity: 1, price: amount)]
  }

  /// The stored order this describes (for a client reading a redemption).
  public func engineValue() -> RedeemedOrder {
    RedeemedOrder.restored(
      id: id ?? "", sourceId: sourceId, amount: amount ?? 0,
      discountAmount: discountAmount ?? 0, giftCredits: giftCredits ?? 0,
      totalAmount: totalAmount ?? 0,
      items: (items ?? []).enumerated().compactMap { try? $1.engineValue(index: $0) })
  }
}

/// One code in a validation or redemption request: `{object: "voucher", id: CODE}`, with
/// `gift.credits` to spend a named amount of a gift card.
public struct WireRedeemableRequest: Codable, Sendable, Equatable {
  public var object: String?
  public var id: String
  public var gift: Gift?

  public struct Gift: Codable, Sendable, Equatable {
    public var credits: Int64?
  }

  public init(code: String, giftCredits: Int64?) {
    object = "voucher"
    id = code
    gift = giftCredits.map { Gift(credits: $0) }
  }
}

/// Ours: where a redemption was made. Defaults to the API key's name for the cashier.
public struct WireChannelInput: Codable, Sendable, Equatable {
  public var terminal: String?
  public var cashier: String?
}

/// `POST /v1/validations` and `POST /v1/redemptions`.
public struct WireRedemptionRequest: Codable, Sendable, Equatable {
  public var redeemables: [WireRedeemableRequest]
  public var customer: WireCustomerReference?
  public var order: WireOrder?
  public var channel: WireChannelInput?

  /// Voucherify's validation session: `LOCK` with a `key` (made when absent) and a `ttl`.
  public var session: WireSession?

  public init(_ request: RedemptionRequest) {
    redeemables = request.codes.map {
      WireRedeemableRequest(code: $0.code, giftCredits: $0.giftCredits)
    }
    customer = request.customer.map(WireCustomerReference.init(reference:))
    order = WireOrder(
      sourceId: request.orderSourceId, amount: request.items.reduce(0) { $0 + $1.amount },
      items: request.items.map(WireOrderItem.init))
    if request.channel.terminal != nil || request.channel.cashier != nil {
      channel = WireChannelInput(
        terminal: request.channel.terminal, cashier: request.channel.cashier)
    }
  }

  /// The engine's request; `cashier` fills in a channel the body left without one.
  public func engineValue(cashier: String?) throws(APIError) -> RedemptionRequest {
    guard !redeemables.isEmpty else { throw .invalidPayload("redeemables must not be empty") }
    guard redeemables.count <= RedemptionRequest.maximumCodes else {
      throw .invalidPayload("at most \(RedemptionRequest.maximumCodes) redeemables at once")
    }
    for entry in redeemables where entry.object != nil && entry.object != "voucher" {
      throw .invalidPayload("only redeemables of object voucher are supported")
    }
    guard let order else { throw .invalidPayload("order is required") }
    var customerReference: String?
    if let customer {
      guard let reference = customer.reference else {
        throw .invalidPayload("customer needs an id or a source_id")
      }
      customerReference = reference
    }
    var request = RedemptionRequest(
      codes: redeemables.map { CodeRequest($0.id, giftCredits: $0.gift?.credits) },
      customer: customerReference, orderSourceId: order.sourceId, items: try order.cartItems(),
      channel: Channel(terminal: channel?.terminal, cashier: channel?.cashier ?? cashier))
    request.session = try session?.engineValue()
    return request
  }
}
