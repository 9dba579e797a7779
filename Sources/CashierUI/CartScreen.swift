import Foundation
import VoucherEngine

/// The cart of the sale: its codes, each with what it gives, and its lines typed as
/// `SKU QTY PRICE`. This screen holds only what is being typed and which row is
/// highlighted; the sale itself lives in `Sale`.
public struct CartScreen: Equatable, Sendable {
  /// `customer`: the customer reference, on back ends without contact lookup only.
  public enum Field: Equatable, Sendable { case line, code, customer }

  public var line = ""
  public var code = ""
  public var customerReference = ""
  public var focus = Field.line
  /// The highlighted row: the sale's codes first, then its lines.
  public var selection: Int?
  public var lineError: String?

  public init() {}

  var focusedText: String {
    switch focus {
    case .line: line
    case .code: code
    case .customer: customerReference
    }
  }

  /// The field after the focused one; the customer reference only where contacts cannot be
  /// looked up.
  func nextField(findsContacts: Bool) -> Field {
    switch focus {
    case .line: .code
    case .code: findsContacts ? .line : .customer
    case .customer: .line
    }
  }

  static func text(of item: CartItem) -> String {
    "\(item.sku) \(item.quantity) \(Money.format(item.price))"
  }

  public func handle(_ key: Key) -> Action? {
    guard let edited = TextEditing.edit(focusedText, with: key) else { return nil }
    switch focus {
    case .line: return .lineEdited(edited)
    case .code: return .codeEdited(edited)
    case .customer: return .customerReferenceEdited(edited)
    }
  }

  /// What the highlighted row is on `sale`.
  enum Row: Equatable {
    case code(Int)
    case line(Int)
  }

  func row(in sale: Sale) -> Row? {
    guard let selection else { return nil }
    if selection < sale.codes.count { return .code(selection) }
    let line = selection - sale.codes.count
    return sale.items.indices.contains(line) ? .line(line) : nil
  }

  public func render(into canvas: inout Canvas, in area: Rect, sale: Sale, session: Session) {
    let y = area.y
    let currency: String
    if case .answered(let result) = sale.validation {
      currency = result.currency
    } else {
      currency = session.currency
    }
    canvas.put("Customer", x: 2, y: y, style: .bold)
    if session.capabilities.findsContacts || sale.customer != nil {
      let who =
        sale.customer.map { [$0.name, $0.sourceId].compactMap { $0 }.joined(separator: " · ") }
        ?? "none (F2 finds one)"
      canvas.put(who.fitted(to: area.width - 14), x: 12, y: y)
    } else {
      canvas.field(customerReference, x: 12, y: y, width: 24, focused: focus == .customer)
      canvas.put("id, email or phone (Tab), if any", x: 39, y: y, style: .dim)
    }
    canvas.put("Add code", x: 2, y: y + 1, style: focus == .code ? .bold : [])
    canvas.field(code, x: 12, y: y + 1, width: 24, focused: focus == .code)
    canvas.put("CODE, or CODE=AMOUNT for a gift card", x: 39, y: y + 1, style: .dim)
    canvas.put("Add line", x: 2, y: y + 2, style: focus == .line ? .bold : [])
    canvas.field(line, x: 12, y: y + 2, width: 30, focused: focus == .line)
    canvas.put("SKU QTY PRICE, Enter adds", x: 45, y: y + 2, style: .dim)
    if let lineError {
      canvas.put(lineError.fitted(to: area.width - 4), x: 2, y: y + 3, style: .error)
    }

    canvas.row([("Voucher / SKU", 2, 20)], y: y + 4, selected: false)
    canvas.putRight("Qty", end: Self.quantityEnd, y: y + 4)
    canvas.putRight("Price", end: Self.priceEnd, y: y + 4)
    canvas.putRight("Amount", end: Self.amountEnd, y: y + 4)
    let totalsTop = area.maxY - 5
    let top = y + 5
    let visible = max(1, totalsTop - 1 - top)
    let rows = sale.codes.count + sale.items.count
    if rows == 0 {
      canvas.put("No lines yet: type e.g. prod_1 1 259.00 and press Enter.", x: 2, y: top)
      canvas.put("F3 adds a voucher code.", x: 2, y: top + 1)
    }
    let first = max(0, min((selection ?? 0) - visible + 1, rows - visible))
    for index in first..<min(rows, first + visible) {
      let screenRow = top + index - first
      let selected = index == selection
      let style: Style = selected ? .reverse : []
      if index < sale.codes.count {
        let code = sale.codes[index]
        canvas.row([(code.code, 2, 20)], y: screenRow, selected: selected)
        let (what, amount) = Self.describe(code, result: sale.result(ofCodeAt: index))
        canvas.putRight(what.fitted(to: 24), end: Self.priceEnd, y: screenRow, style: style)
        if let amount {
          canvas.putRight(amount, end: Self.amountEnd, y: screenRow, style: style)
        }
      } else {
        let item = sale.items[index - sale.codes.count]
        canvas.row([(item.sku, 2, 20)], y: screenRow, selected: selected)
        canvas.putRight(String(item.quantity), end: Self.quantityEnd, y: screenRow, style: style)
        canvas.putRight(Money.format(item.price), end: Self.priceEnd, y: screenRow, style: style)
        canvas.putRight(Money.format(item.amount), end: Self.amountEnd, y: screenRow, style: style)
      }
    }
    if rows > visible {
      canvas.putRight(
        "rows \(first + 1)–\(min(rows, first + visible)) of \(rows) ↑↓", end: Self.amountEnd,
        y: totalsTop - 1, style: .dim)
    }

    func total(_ label: String, _ amount: Int64, row: Int, style: Style = []) {
      canvas.put(label, x: 2, y: row, style: style)
      canvas.putRight(Money.format(amount), end: Self.amountEnd, y: row, style: style)
      canvas.put(currency, x: Self.amountEnd + 1, y: row, style: style)
    }
    total("Subtotal", sale.subtotal, row: totalsTop)
    let status = totalsTop + 4
    switch sale.validation {
    case .notAsked:
      if !sale.items.isEmpty, !sale.codes.isEmpty {
        canvas.put("F5 validates the vouchers on this cart.", x: 2, y: status, style: .dim)
      }
    case .checking:
      canvas.put("Validating…", x: 2, y: status, style: .dim)
    case .failed(let sentence):
      canvas.put(sentence.fitted(to: area.width - 4), x: 2, y: status, style: .error)
    case .answered(let result) where result.valid:
      total("Discount", result.discountAmount, row: totalsTop + 1)
      if result.giftCredits > 0 { total("Gift cards", result.giftCredits, row: totalsTop + 2) }
      total("New total", result.totalAmount, row: totalsTop + 3, style: .bold)
      canvas.put("Valid. F9 redeems.", x: 2, y: status, style: .success)
      if session.capabilities.validation == .till {
        canvas.put(
          "Checked on this till: value, expiry, already used. The back end checks nothing else."
            .fitted(to: area.width - 4), x: 2, y: status + 1, style: .dim)
      }
    case .answered(let result):
      let refusal = result.firstRefusal
      let codes = sale.codes.map(\.code).joined(separator: ", ")
      canvas.put(
        "Not valid: \(refusal?.code ?? codes)".fitted(to: area.width - 4), x: 2,
        y: totalsTop + 3, style: [.error, .bold])
      let sentence = refusal.map {
        CashierWords.sentence(for: $0.reason, currency: result.currency, timeZone: session.timeZone)
      }
      canvas.put(
        (sentence ?? "The vouchers do not apply to this cart.").fitted(to: area.width - 4), x: 2,
        y: status, style: .error)
    }
  }

  // Right edges of the columns: each amount column holds the largest amount the engine
  // accepts (10^15 minor units, 17 characters) with a space to spare, so columns never
  // run together.
  static let quantityEnd = 29
  static let priceEnd = 48
  static let amountEnd = 67

  /// A code's row: what it is, and what it gives once validated (a minus: it comes off).
  static func describe(_ code: Sale.Code, result: RedeemableResult?) -> (String, String?) {
    let chosen = code.giftAmount.map { "take \(Money.format($0))" }
    guard let result else { return (chosen ?? "not validated", nil) }
    if result.refusal != nil { return ("refused", nil) }
    if result.giftCredits > 0 || code.giftAmount != nil {
      return (chosen ?? "gift card", "−\(Money.format(result.giftCredits))")
    }
    return ("discount", "−\(Money.format(result.discount))")
  }
}
