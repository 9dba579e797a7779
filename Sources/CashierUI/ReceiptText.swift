import Foundation
import VoucherEngine

/// Everything a printed receipt says about one sale: the header, the lines, each code with
/// what it took, the totals, and (for a voided sale's copy) the void.
public struct PrintedReceipt: Sendable, Equatable {
  /// One cart line.
  public struct Line: Sendable, Equatable {
    public var sku: String
    public var quantity: Int64
    /// Minor units.
    public var unitPrice: Int64
    /// Minor units: quantity × unit price.
    public var amount: Int64

    public init(sku: String, quantity: Int64, unitPrice: Int64, amount: Int64) {
      self.sku = sku
      self.quantity = quantity
      self.unitPrice = unitPrice
      self.amount = amount
    }
  }

  /// A voucher code of the sale and what it took off the amount to pay.
  public struct Code: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
      case discount
      case gift
    }

    public var code: String
    public var kind: Kind
    /// Minor units: the discount, or the gift credits spent.
    public var amount: Int64
    /// A gift card's balance after the sale; nil for a discount (or when not known).
    public var giftBalanceLeft: Int64?

    public init(code: String, kind: Kind, amount: Int64, giftBalanceLeft: Int64? = nil) {
      self.code = code
      self.kind = kind
      self.amount = amount
      self.giftBalanceLeft = giftBalanceLeft
    }
  }

  /// The store's name for the top line; nil leaves it out.
  public var store: String?
  public var till: String
  public var cashier: String
  public var orderId: String
  public var date: Date
  /// The zone the date and time are printed in (the store's).
  public var timeZone: TimeZone
  public var lines: [Line]
  public var codes: [Code]
  public var subtotal: Int64
  public var discount: Int64
  public var giftCredits: Int64
  public var amountToPay: Int64
  /// ISO 4217, printed beside the totals.
  public var currency: String
  public var redemptionId: String
  /// Set on a voided sale's copy: a VOID banner at its top and bottom.
  public var voided: (reason: String, at: Date, by: String)?

  public init(
    store: String? = nil, till: String, cashier: String, orderId: String, date: Date,
    timeZone: TimeZone, lines: [Line], codes: [Code], subtotal: Int64, discount: Int64,
    giftCredits: Int64, amountToPay: Int64, currency: String, redemptionId: String,
    voided: (reason: String, at: Date, by: String)? = nil
  ) {
    self.store = store
    self.till = till
    self.cashier = cashier
    self.orderId = orderId
    self.date = date
    self.timeZone = timeZone
    self.lines = lines
    self.codes = codes
    self.subtotal = subtotal
    self.discount = discount
    self.giftCredits = giftCredits
    self.amountToPay = amountToPay
    self.currency = currency
    self.redemptionId = redemptionId
    self.voided = voided
  }

  public static func == (left: PrintedReceipt, right: PrintedReceipt) -> Bool {
    left.store == right.store && left.till == right.till && left.cashier == right.cashier
      && left.orderId == right.orderId && left.date == right.date
      && left.timeZone == right.timeZone && left.lines == right.lines
      && left.codes == right.codes && left.subtotal == right.subtotal
      && left.discount == right.discount && left.giftCredits == right.giftCredits
      && left.amountToPay == right.amountToPay && left.currency == right.currency
      && left.redemptionId == right.redemptionId
      && left.voided?.reason == right.voided?.reason && left.voided?.at == right.voided?.at
      && left.voided?.by == right.voided?.by
  }
}

/// A receipt as plain text for a receipt printer (42 or 48 columns) or a file.
///
/// Every line fits the width, measured in terminal columns (山田 takes four): a value that
/// does not fit beside its label goes on the next line, right-aligned, and text longer
/// than a line wraps, so even the largest amounts the engine accepts never run into each
/// other or past the edge. Money is `Money.format`; control characters are shown as `\x1b`.
public enum ReceiptText {
  /// The narrowest width laid out; a smaller one is laid out at this width.
  public static let minimumWidth = 24

  /// The receipt's lines, none wider than `width` columns, without line ends.
  public static func lines(_ receipt: PrintedReceipt, width: Int) -> [String] {
    var layout = Layout(width: max(width, minimumWidth))
    let rule = String(repeating: "-", count: layout.width)
    let heavy = String(repeating: "=", count: layout.width)
    if let voided = receipt.voided {
      layout.append(heavy)
      layout.centred("*** VOID ***")
      layout.wrapped("Reason: " + voided.reason)
      layout.pair("Voided", stamp(voided.at, in: receipt.timeZone))
      layout.pair("By", voided.by)
      layout.append(heavy)
    }
    if let store = receipt.store { layout.centred(store) }
    layout.pair("Till", receipt.till)
    layout.pair("Cashier", receipt.cashier)
    layout.pair("Order", receipt.orderId)
    layout.pair("Date", stamp(receipt.date, in: receipt.timeZone))
    layout.append(rule)
    for line in receipt.lines {
      layout.item(
        line.sku, detail: "\(line.quantity) x \(Money.format(line.unitPrice))",
        amount: Money.format(line.amount))
    }
    if !receipt.codes.isEmpty {
      layout.append(rule)
      for code in receipt.codes {
        let word = code.kind == .gift ? "gift card" : "discount"
        layout.code(code.code, word: word, amount: Money.format(-code.amount))
        if let left = code.giftBalanceLeft {
          layout.pair("  balance left", Money.format(left))
        }
      }
    }
    layout.append(rule)
    let currency = receipt.currency
    layout.pair("Subtotal", "\(currency) \(Money.format(receipt.subtotal))")
    layout.pair("Discount", "\(currency) \(Money.format(-receipt.discount))")
    if receipt.giftCredits != 0 {
      layout.pair("Gift cards", "\(currency) \(Money.format(-receipt.giftCredits))")
    }
    layout.pair("AMOUNT TO PAY", "\(currency) \(Money.format(receipt.amountToPay))")
    layout.append(rule)
    layout.pair("Redemption", receipt.redemptionId)
    if receipt.voided != nil {
      layout.append(heavy)
      layout.centred("*** VOID ***")
      layout.append(heavy)
    }
    return layout.lines
  }

  /// `2026-11-03 10:00` in the store's zone: the same on every machine and locale.
  static func stamp(_ date: Date, in zone: TimeZone) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    func two(_ value: Int?) -> String {
      let value = value ?? 0
      return value < 10 ? "0\(value)" : "\(value)"
    }
    return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) "
      + "\(two(parts.hour)):\(two(parts.minute))"
  }

  /// Text with control characters made visible (`\x1b`), so nothing typed into a name or a
  /// reason can drive the printer or the terminal the file is shown on.
  static func visible(_ text: String) -> String {
    var result = ""
    for scalar in text.unicodeScalars {
      if scalar.properties.generalCategory == .control {
        let hex = String(scalar.value, radix: 16)
        result += scalar.value <= 0xFF ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u{\(hex)}"
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// Lines being laid out at one width.
  struct Layout {
    let width: Int
    var lines: [String] = []

    init(width: Int) { self.width = width }

    mutating func append(_ line: String) { lines.append(line) }

    mutating func centred(_ text: String) {
      for line in ReceiptText.wrap(visible(text), width: width) {
        let room = width - DisplayWidth.of(line)
        lines.append(String(repeating: " ", count: room / 2) + line)
      }
    }

    mutating func wrapped(_ text: String) {
      lines += ReceiptText.wrap(visible(text), width: width)
    }

    /// A label on the left and its value on the right of one line; when both do not fit,
    /// the label (wrapped) and then the value, right-aligned (or wrapped if wider).
    mutating func pair(_ label: String, _ value: String) {
      let label = visible(label)
      let value = visible(value)
      let used = DisplayWidth.of(label) + 1 + DisplayWidth.of(value)
      if used <= width {
        lines.append(label + String(repeating: " ", count: width - used + 1) + value)
        return
      }
      lines += ReceiptText.wrap(label, width: width)
      right(value)
    }

    /// A cart line: the SKU, then `quantity x price` and the amount; on one line when all
    /// three fit, else the SKU alone and the rest below, split again if need be.
    mutating func item(_ sku: String, detail: String, amount: String) {
      let sku = visible(sku)
      let tail = detail + "  " + amount
      if DisplayWidth.of(sku) + 1 + DisplayWidth.of(tail) <= width {
        pair(sku, tail)
        return
      }
      lines += ReceiptText.wrap(sku, width: width)
      if DisplayWidth.of(tail) + 2 <= width {
        right(tail)
      } else {
        right(detail)
        right(amount)
      }
    }

    /// A code, its kind and what it took on one line; a code too long for that gets lines
    /// of its own and the kind and amount below it.
    mutating func code(_ code: String, word: String, amount: String) {
      let code = visible(code)
      let label = code + " " + word
      if DisplayWidth.of(label) + 1 + DisplayWidth.of(amount) <= width {
        pair(label, amount)
        return
      }
      lines += ReceiptText.wrap(code, width: width)
      pair("  " + word, amount)
    }

    private mutating func right(_ value: String) {
      for line in ReceiptText.wrap(value, width: width) {
        lines.append(String(repeating: " ", count: width - DisplayWidth.of(line)) + line)
      }
    }
  }

  /// Text broken into lines of at most `width` columns: at spaces where it can, inside a
  /// word where it must (never through a wide character).
  static func wrap(_ text: String, width: Int) -> [String] {
    guard DisplayWidth.of(text) > width else { return [text] }
    var lines: [String] = []
    var current = ""
    var used = 0
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
      let wordWidth = DisplayWidth.of(String(word))
      if used > 0, used + 1 + wordWidth <= width {
        current += " " + word
        used += 1 + wordWidth
        continue
      }
      if used > 0 {
        lines.append(current)
        current = ""
        used = 0
      }
      for character in word {
        let columns = DisplayWidth.of(String(character))
        if used + columns > width {
          lines.append(current)
          current = ""
          used = 0
        }
        current.append(character)
        used += columns
      }
    }
    if used > 0 || lines.isEmpty { lines.append(current) }
    return lines
  }
}
