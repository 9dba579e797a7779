import VoucherEngine

// Reading a validation or redemption request straight from the parsed body.
//
// Through `JSONValueDecoder` and the synthesized `Decodable`s this took an eighth of a
// validation's instructions (40,000 of 311,000): a boxed container per object, a metadata
// lookup and a dynamic cast per member. Here the same members are matched in one pass over
// the tree and read into the same values. Only the way to success is written out: anything
// unusual (a wrong type, a null where a value is required, an integer written `1.0`)
// declines, and the caller decodes again through `JSONValueDecoder`, which finds the fault
// and words it as before. A test checks that whatever this accepts, the decoder accepts and
// reads the same.

extension WireRedemptionRequest {
  /// The request in a parsed body's top-level members, or nil when the body is not one of
  /// the shapes read here (decode it through `JSONValueDecoder` then). Unknown members are
  /// skipped, as the synthesized decoder skips them.
  public init?(parsed members: [(key: String, value: JSONValue)]) {
    do throws(Declined) {
      var redeemables: [WireRedeemableRequest]?
      var customer: WireCustomerReference?
      var order: WireOrder?
      var channel: WireChannelInput?
      for (key, value) in members {
        switch key {
        case "redeemables": redeemables = try array(value, WireRedeemableRequest.init(parsed:))
        case "customer": customer = try optional(value, WireCustomerReference.init(parsed:))
        case "order": order = try optional(value, WireOrder.init(parsed:))
        case "channel": channel = try optional(value, WireChannelInput.init(parsed:))
        // A session changes what the request does: read by the decoder.
        case "session" where value != .null: throw Declined()
        default: break
        }
      }
      guard let redeemables else { return nil }
      self.init(redeemables: redeemables)
      (self.customer, self.order, self.channel) = (customer, order, channel)
    } catch {
      return nil
    }
  }

  private init(redeemables: [WireRedeemableRequest]) {
    self.redeemables = redeemables
  }
}

/// The reader met something it leaves to `JSONValueDecoder`.
private struct Declined: Error {}

private typealias Members = [(key: String, value: JSONValue)]

extension WireRedeemableRequest {
  fileprivate init(parsed value: JSONValue) throws(Declined) {
    var object: String?
    var id: String?
    var gift: Gift?
    for (key, value) in try members(value) {
      switch key {
      case "object": object = try string(value)
      case "id": id = try string(value)
      case "gift":
        gift = try optional(value) { value throws(Declined) in
          var credits: Int64?
          for (key, value) in try members(value) where key == "credits" {
            credits = try integer(value)
          }
          return Gift(credits: credits)
        }
      default: break
      }
    }
    // `id` is required: missing or null is the decoder's error to word.
    guard let id else { throw Declined() }
    self.init(code: id, giftCredits: nil)
    (self.object, self.gift) = (object, gift)
  }
}

extension WireCustomerReference {
  fileprivate init(parsed value: JSONValue) throws(Declined) {
    self.init()
    for (key, value) in try members(value) {
      switch key {
      case "id": id = try string(value)
      case "source_id": sourceId = try string(value)
      case "email": email = try string(value)
      default: break
      }
    }
  }
}

extension WireChannelInput {
  fileprivate init(parsed value: JSONValue) throws(Declined) {
    var (terminal, cashier): (String?, String?)
    for (key, value) in try members(value) {
      switch key {
      case "terminal": terminal = try string(value)
      case "cashier": cashier = try string(value)
      default: break
      }
    }
    self.init(terminal: terminal, cashier: cashier)
  }
}

extension WireOrder {
  fileprivate init(parsed value: JSONValue) throws(Declined) {
    self.init()
    for (key, value) in try members(value) {
      switch key {
      case "id": id = try string(value)
      case "source_id": sourceId = try string(value)
      case "amount": amount = try integer(value)
      case "discount_amount": discountAmount = try integer(value)
      case "total_discount_amount": totalDiscountAmount = try integer(value)
      case "applied_discount_amount": appliedDiscountAmount = try integer(value)
      case "total_amount": totalAmount = try integer(value)
      case "gift_credits": giftCredits = try integer(value)
      case "items":
        items = try optional(value) { value throws(Declined) in
          try array(value, WireOrderItem.init(parsed:))
        }
      case "object": object = try string(value)
      case "customer_id": customerId = try string(value)
      case "status": status = try string(value)
      case "metadata": metadata = value == .null ? nil : value
      default: break
      }
    }
  }
}

extension WireOrderItem {
  fileprivate init(parsed value: JSONValue) throws(Declined) {
    self.init(
      productId: nil, skuId: nil, sourceId: nil, quantity: nil, price: nil, amount: nil,
      object: nil)
    for (key, value) in try members(value) {
      switch key {
      case "product_id": productId = try string(value)
      case "sku_id": skuId = try string(value)
      case "source_id": sourceId = try string(value)
      case "quantity": quantity = try integer(value)
      case "price": price = try integer(value)
      case "amount": amount = try integer(value)
      case "object": object = try string(value)
      default: break
      }
    }
  }

  private init(
    productId: String?, skuId: String?, sourceId: String?, quantity: Int64?, price: Int64?,
    amount: Int64?, object: String?
  ) {
    (self.productId, self.skuId, self.sourceId, self.quantity) = (
      productId, skuId, sourceId, quantity
    )
    (self.price, self.amount, self.object) = (price, amount, object)
  }
}

// MARK: Values, as the decoder reads them

/// An object's members; anything else (null included) declines.
private func members(_ value: JSONValue) throws(Declined) -> Members {
  guard case .object(let members) = value else { throw Declined() }
  return members
}

/// A member read with `decodeIfPresent`: null is nil.
private func optional<T>(_ value: JSONValue, _ read: (JSONValue) throws(Declined) -> T)
  throws(Declined) -> T?
{
  if case .null = value { return nil }
  return try read(value)
}

/// An array whose every element `read` accepts; null declines (a required array).
private func array<T>(_ value: JSONValue, _ read: (JSONValue) throws(Declined) -> T)
  throws(Declined) -> [T]
{
  guard case .array(let elements) = value else { throw Declined() }
  var result: [T] = []
  result.reserveCapacity(elements.count)
  for element in elements { result.append(try read(element)) }
  return result
}

/// An optional string member.
private func string(_ value: JSONValue) throws(Declined) -> String? {
  switch value {
  case .null: return nil
  case .string(let text): return text
  default: throw Declined()
  }
}

/// An optional `Int64` member, parsed from its literal exactly as the decoder parses it.
private func integer(_ value: JSONValue) throws(Declined) -> Int64? {
  switch value {
  case .null: return nil
  case .number(let literal):
    guard let number = Int64(literal) else { throw Declined() }
    return number
  default: throw Declined()
  }
}

/// `[String: String]`: an object whose every value is a string.
