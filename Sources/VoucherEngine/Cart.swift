/// One line of a cart: a product, how many, and the unit price in minor units.
public struct CartItem: Equatable, Sendable, Codable {
  public var sku: String
  public var quantity: Int64
  public var price: Int64

  public init(sku: String, quantity: Int64, price: Int64) {
    self.sku = sku
    self.quantity = quantity
    self.price = price
  }

  /// Largest quantity on one line.
  public static let maximumQuantity: Int64 = 100_000

  /// Reads `SKU:QTY:PRICE` (the CLI form) or `SKU QTY PRICE` (the till's form).
  ///
  /// - Throws: `Reason.invalidPayload` saying which part is wrong.
  public static func parse(_ text: String) throws(Reason) -> CartItem {
    let separator: Character = text.contains(":") ? ":" : " "
    let parts = text.trimmingSpaces().split(separator: separator).map { $0.trimmingSpaces() }
      .filter { !$0.isEmpty }
    guard parts.count == 3 else {
      throw .invalidPayload("“\(text)” should be SKU\(separator)QUANTITY\(separator)PRICE")
    }
    guard let quantity = Int64(parts[1]), quantity > 0, quantity <= maximumQuantity else {
      throw .invalidPayload(
        "quantity “\(parts[1])” should be a whole number from 1 to \(maximumQuantity)")
    }
    let price: Int64
    do { price = try Money.parse(parts[2]) } catch { throw .invalidPayload("price: \(error)") }
    let item = CartItem(sku: parts[0], quantity: quantity, price: price)
    try item.check()
    return item
  }

  /// The line total.
  public var amount: Int64 { quantity * price }

  /// 1–100 characters without a line break or another control character. Plain ASCII (every SKU seen in practice) is
  /// checked on its bytes: there each byte is one character, and counting characters
  /// otherwise cost more than all the other rules of a validation.
  static func isValidSKU(_ sku: String) -> Bool {
    var count = 0
    for byte in sku.utf8 {
      if byte >= 0x80 {
        return sku.count <= 100 && !sku.contains(where: \.isNewline)
          && SafeText.firstControl(in: sku) == nil
      }
      // The ASCII controls, the line breaks LF, VT, FF and CR among them.
      if byte < 0x20 || byte == 0x7F { return false }
      count += 1
    }
    return count > 0 && count <= 100
  }

  func check() throws(Reason) {
    guard Self.isValidSKU(sku) else {
      if let scalar = SafeText.firstControl(in: sku) {
        throw .invalidPayload(SafeText.controlMessage(field: "a product id", scalar))
      }
      throw .invalidPayload("a product id must be 1–100 characters")
    }
    guard quantity > 0, quantity <= Self.maximumQuantity else {
      throw .invalidPayload("quantity \(quantity) of \(sku) is outside 1–\(Self.maximumQuantity)")
    }
    guard price >= 0, price <= Money.maximum / Self.maximumQuantity else {
      throw .invalidPayload(
        "price \(Money.format(price)) of \(sku) is above \(Money.format(Money.maximum / Self.maximumQuantity))"
      )
    }
  }
}

/// One voucher code in a request, with the gift amount the cashier named (if any).
public struct CodeRequest: Equatable, Sendable, Hashable {
  public var code: String
  /// For a gift card: how much to spend; nil spends what covers the remaining total.
  public var giftCredits: Int64?

  public init(_ code: String, giftCredits: Int64? = nil) {
    self.code = code
    self.giftCredits = giftCredits
  }
}

/// Who is at the till: recorded with every redemption and event.
public struct Channel: Equatable, Sendable, Codable {
  public var terminal: String?
  public var cashier: String?

  public init(terminal: String? = nil, cashier: String? = nil) {
    self.terminal = terminal
    self.cashier = cashier
  }

  /// A readable actor name for the event log.
  var actor: String {
    [cashier, terminal.map { "at \($0)" }].compactMap { $0 }.joined(separator: " ")
  }
}

/// A validation or redemption request: codes, an optional customer, and the cart.
public struct RedemptionRequest: Equatable, Sendable {
  /// 1–30 codes, applied in this order (discounts first, then gift cards).
  public var codes: [CodeRequest]
  /// Customer id, source id or email; required by bound and per-customer vouchers.
  public var customer: String?
  /// The shop's order / transaction id: one per sale. Redeeming the same voucher under the
  /// same order again returns the first redemption.
  public var orderSourceId: String?
  public var items: [CartItem]
  public var channel: Channel
  /// Voucherify's validation session (`session.type` LOCK): a validation holds what it
  /// validated for this session; its redemption, with the same key, uses and releases it.
  public var session: SessionRequest?

  public init(
    codes: [CodeRequest], customer: String? = nil, orderSourceId: String? = nil,
    items: [CartItem], channel: Channel = Channel()
  ) {
    self.codes = codes
    self.customer = customer
    self.orderSourceId = orderSourceId
    self.items = items
    self.channel = channel
    session = nil
  }

  /// Up to 30 codes at once, as Voucherify allows.
  public static let maximumCodes = 30
  /// Up to 500 cart lines.
  public static let maximumItems = 500
}
