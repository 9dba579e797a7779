import Foundation
import VoucherEngine

/// The sale: cart lines typed as `SKU QTY PRICE`, the chosen vouchers, and what validation
/// said about them.
public struct CartScreen: Equatable, Sendable {
  public enum Field: Equatable, Sendable { case line, code }

  public enum Validation: Equatable, Sendable {
    case notAsked
    case checking
    case answered(ValidationResult)
    case failed(String)
  }

  /// The transaction id of this sale, sent with validate and redeem.
  public var orderId: String
  public var customer: Customer?
  public var codes: [String] = []
  public var items: [CartItem] = []
  public var line = ""
  public var code = ""
  public var focus = Field.line
  public var selection: Int?
  public var validation = Validation.notAsked
  public var lineError: String?

  public init(orderId: String) {
    self.orderId = orderId
  }

  var focusedText: String { focus == .line ? line : code }

  public var subtotal: Int64 { items.reduce(0) { $0 + $1.amount } }

  public func request(session: Session) -> RedemptionRequest {
    RedemptionRequest(
      codes: codes.map { CodeRequest($0) }, customer: customer?.id, orderSourceId: orderId,
      items: items, channel: Channel(terminal: session.terminal, cashier: session.cashier))
  }

  static func text(of item: CartItem) -> String {
    "\(item.sku) \(item.quantity) \(Money.format(item.price))"
  }

  public func handle(_ key: Key) -> Action? {
    guard let edited = TextEditing.edit(focusedText, with: key) else { return nil }
    return focus == .line ? .lineEdited(edited) : .codeEdited(edited)
  }

  public func render(into canvas: inout Canvas, in area: Rect, session: Session) {
    let y = area.y
    let currency: String
    if case .answered(let result) = validation {
      currency = result.currency
    } else {
      currency = session.currency
    }
    canvas.put("Customer", x: 2, y: y, style: .bold)
    let who =
      customer.map { [$0.name, $0.sourceId].compactMap { $0 }.joined(separator: " · ") }
      ?? "none (F2 finds one)"
    canvas.put(who.fitted(to: area.width - 14), x: 12, y: y)
    canvas.put("Vouchers", x: 2, y: y + 1, style: .bold)
    let chosen = codes.isEmpty ? "none (F3 adds a code)" : codes.joined(separator: ", ")
    canvas.put(chosen.fitted(to: area.width - 14), x: 12, y: y + 1)
    canvas.put("Add code", x: 2, y: y + 2, style: focus == .code ? .bold : [])
    canvas.field(code, x: 12, y: y + 2, width: 24, focused: focus == .code)
    canvas.put("Add line", x: 2, y: y + 3, style: focus == .line ? .bold : [])
    canvas.field(line, x: 12, y: y + 3, width: 30, focused: focus == .line)
    canvas.put("SKU QTY PRICE, Enter adds", x: 45, y: y + 3, style: .dim)
    if let lineError {
      canvas.put(lineError.fitted(to: area.width - 4), x: 2, y: y + 4, style: .error)
    }

    canvas.row([("SKU", 2, 24)], y: y + 5, selected: false)
    canvas.putRight("Qty", end: 34, y: y + 5)
    canvas.putRight("Price", end: 46, y: y + 5)
    canvas.putRight("Amount", end: 58, y: y + 5)
    let totalsTop = area.maxY - 6
    let visible = max(1, totalsTop - 1 - (y + 6))
    if items.isEmpty {
      canvas.put("No lines yet: type e.g. prod_1 1 259.00 and press Enter.", x: 2, y: y + 6)
    }
    let first = max(0, (selection ?? 0) - visible + 1)
    for (offset, item) in items.dropFirst(first).prefix(visible).enumerated() {
      let row = y + 6 + offset
      let selected = first + offset == selection
      canvas.row([(item.sku, 2, 24)], y: row, selected: selected)
      let style: Style = selected ? .reverse : []
      canvas.putRight(String(item.quantity), end: 34, y: row, style: style)
      canvas.putRight(Money.format(item.price), end: 46, y: row, style: style)
      canvas.putRight(Money.format(item.amount), end: 58, y: row, style: style)
    }

    func total(_ label: String, _ amount: Int64, row: Int, style: Style = []) {
      canvas.put(label, x: 2, y: row, style: style)
      canvas.putRight(Money.format(amount), end: 58, y: row, style: style)
      canvas.put(currency, x: 59, y: row, style: style)
    }
    total("Subtotal", subtotal, row: totalsTop)
    switch validation {
    case .notAsked:
      if !items.isEmpty, !codes.isEmpty {
        canvas.put("F5 validates the vouchers on this cart.", x: 2, y: totalsTop + 4, style: .dim)
      }
    case .checking:
      canvas.put("Validating…", x: 2, y: totalsTop + 4, style: .dim)
    case .failed(let sentence):
      canvas.put(sentence.fitted(to: area.width - 4), x: 2, y: totalsTop + 4, style: .error)
    case .answered(let result) where result.valid:
      total("Discount", result.discountAmount, row: totalsTop + 1)
      if result.giftCredits > 0 { total("Gift cards", result.giftCredits, row: totalsTop + 2) }
      total("New total", result.totalAmount, row: totalsTop + 3, style: .bold)
      canvas.put("Valid. F9 redeems.", x: 2, y: totalsTop + 4, style: .success)
    case .answered(let result):
      let refusal = result.firstRefusal
      canvas.put(
        "Not valid: \(refusal?.code ?? codes.joined(separator: ", "))".fitted(to: area.width - 4),
        x: 2, y: totalsTop + 3, style: [.error, .bold])
      let sentence = refusal.map {
        CashierWords.sentence(for: $0.reason, currency: result.currency, timeZone: session.timeZone)
      }
      canvas.put(
        (sentence ?? "The vouchers do not apply to this cart.").fitted(to: area.width - 4), x: 2,
        y: totalsTop + 4, style: .error)
    }
  }
}
