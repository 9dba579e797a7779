import Foundation
import VoucherEngine

/// What the customer pays, as the engine recorded it.
public struct Receipt: Equatable, Sendable {
  public var redemptionId: String
  public var codes: [String]
  public var orderAmount: Int64
  public var discount: Int64
  public var giftCredits: Int64
  public var amountToPay: Int64
  /// Left on the gift card(s) after this sale; nil when no gift card was used.
  public var giftBalanceLeft: Int64?
  /// What each code gave: a discount, or gift credits with the balance left after.
  public var perCode: [CodeLine]
  public var items: [CartItem]
  public var date: Date
  public var orderId: String

  /// One code on the receipt.
  public struct CodeLine: Equatable, Sendable {
    public var code: String
    public var amount: Int64
    /// Set for a gift card: what is left on it.
    public var giftBalanceLeft: Int64?
  }

  public init(_ outcome: RedeemOutcome) {
    self.init(main: outcome.redemption, perCode: outcome.perCode)
  }

  /// From the redemptions an order check found: the parent when stacked, else the one.
  public init?(found redemptions: [Redemption]) {
    let made = redemptions.filter { $0.status == .succeeded }
    guard let main = made.first(where: { $0.parentId == nil }) ?? made.first else { return nil }
    let perCode = main.children.isEmpty ? made.filter { $0.voucherCode != nil } : main.children
    self.init(main: main, perCode: perCode.isEmpty ? [main] : perCode)
  }

  private init(main: Redemption, perCode: [Redemption]) {
    redemptionId = main.id
    codes = perCode.compactMap(\.voucherCode)
    orderAmount = main.order.amount
    discount = main.order.discountAmount
    giftCredits = main.order.giftCredits
    amountToPay = main.order.totalAmount
    let balances = perCode.compactMap(\.giftBalanceAfter)
    giftBalanceLeft = balances.isEmpty ? nil : balances.reduce(0, +)
    self.perCode = perCode.compactMap { part in
      part.voucherCode.map {
        CodeLine(code: $0, amount: part.amount, giftBalanceLeft: part.giftBalanceAfter)
      }
    }
    items = main.order.items
    date = main.date
    orderId = main.order.sourceId ?? main.order.id
  }
}

/// Confirm, redeem against the deadline, and the receipt. Past the deadline the outcome is
/// unknown, and only the back end's answer about the attempt (the fence, where there is one)
/// decides what the screen says.
public struct RedeemScreen: Equatable, Sendable {
  public enum Phase: Equatable, Sendable {
    case confirming
    case redeeming(deadline: Date)
    /// Asking the back end what became of the attempt; `asks` counts the questions before
    /// this one that settled nothing.
    case checking(asks: Int)
    /// Still not known; the text says why. Asked again at `nextAsk`.
    case unknown(String, nextAsk: Date, asks: Int)
    case redeemed(Receipt)
    /// Known never to land; the detail says why when there is one.
    case notRedeemed(String?)
    case rejected(String)
  }

  public var request: RedemptionRequest
  public var validation: ValidationResult
  public var customerName: String?
  public var phase = Phase.confirming

  public init(request: RedemptionRequest, validation: ValidationResult, customerName: String?) {
    self.request = request
    self.validation = validation
    self.customerName = customerName
  }

  public var orderId: String { request.orderSourceId ?? "" }

  /// While the outcome is not known the cashier may not leave the sale: only quit, which
  /// keeps it in the journal.
  var isPending: Bool {
    switch phase {
    case .redeeming, .checking, .unknown: true
    default: false
    }
  }

  /// The session's till, cashier and zone, for the receipt's heading.
  public var session: Session?
  /// Where the receipt file went, or why it did not.
  public var receiptNote: Notice?

  /// Whole seconds from `now` to `date`, never below zero.
  static func seconds(until date: Date, now: Date) -> Int {
    max(0, Int(date.timeIntervalSince(now).rounded(.up)))
  }

  public func handle(_ key: Key) -> Action? { nil }

  public func render(into canvas: inout Canvas, in area: Rect, now: Date) {
    let y = area.y
    let currency = validation.currency
    let heading = (["Order \(orderId)"] + [customerName].compactMap { $0 }).joined(separator: " · ")
    canvas.put(heading.fitted(to: area.width - 4), x: 2, y: y, style: .bold)

    func line(_ label: String, _ value: String, row: Int, style: Style = []) {
      canvas.put(label, x: 2, y: row, style: style)
      canvas.put(value.fitted(to: area.width - 22), x: 20, y: row, style: style)
    }
    func amount(_ label: String, _ minor: Int64, row: Int, style: Style = []) {
      canvas.put(label, x: 2, y: row, style: style)
      canvas.putRight(Amount.text(minor, currency), end: 46, y: row, style: style)
    }

    if case .redeemed(let receipt) = phase {
      renderReceipt(receipt, into: &canvas, in: area, now: now)
      return
    }

    line("Vouchers", request.codes.map(\.code).joined(separator: ", "), row: y + 2)
    amount("Subtotal", validation.orderAmount, row: y + 3)
    amount("Discount", validation.discountAmount, row: y + 4)
    if validation.giftCredits > 0 { amount("Gift cards", validation.giftCredits, row: y + 5) }
    amount("To pay", validation.totalAmount, row: y + 6, style: .bold)

    let row = y + 8
    switch phase {
    case .confirming:
      canvas.put("Press Enter to redeem, or Esc to go back to the cart.", x: 2, y: row)
    case .redeeming(let deadline):
      canvas.put(
        "Redeeming… \(Self.seconds(until: deadline, now: now)) s", x: 2, y: row, style: .bold)
    case .checking:
      canvas.put("No answer yet — asking whether it was used…", x: 2, y: row, style: .bold)
    case .unknown(let why, let next, _):
      canvas.put("Not known yet whether it was used.", x: 2, y: row, style: [.error, .bold])
      canvas.put(why.fitted(to: area.width - 4), x: 2, y: row + 1)
      canvas.put(
        "Asking again in \(Self.seconds(until: next, now: now)) s; Enter asks now.", x: 2,
        y: row + 2)
      canvas.put("F10 quits and keeps the sale for the next start.", x: 2, y: row + 3)
    case .notRedeemed(let detail):
      canvas.put("Not redeemed — safe to try again.", x: 2, y: row, style: .bold)
      if let detail { canvas.put(detail.fitted(to: area.width - 4), x: 2, y: row + 1) }
      canvas.put(
        "Enter tries again (a new attempt, same order); Esc goes back to the cart.", x: 2,
        y: row + 2)
    case .rejected(let sentence):
      canvas.put("Not redeemed:", x: 2, y: row, style: [.error, .bold])
      canvas.put(sentence.fitted(to: area.width - 4), x: 2, y: row + 1, style: .error)
      canvas.put("Esc goes back to the cart.", x: 2, y: row + 2)
    case .redeemed:
      break
    }
  }

  /// The receipt: every line, each code with what it gave, the totals, and who, where and
  /// when. Lines that do not fit say how many more there are (the file has them all).
  private func renderReceipt(
    _ receipt: Receipt, into canvas: inout Canvas, in area: Rect, now: Date
  ) {
    let y = area.y
    let currency = validation.currency
    let zone = session?.timeZone ?? .current
    canvas.put("Redeemed", x: 2, y: y + 1, style: [.success, .bold])
    let heading = [
      CashierWords.formatDayAndTime(receipt.date, timeZone: zone),
      session.map { "till \($0.terminal)" }, session.map { "cashier \($0.cashier)" },
    ].compactMap { $0 }.joined(separator: " · ")
    canvas.putRight(heading.fitted(to: area.width - 14), end: area.width - 2, y: y + 1, style: .dim)
    canvas.put("Redemption \(receipt.redemptionId)".fitted(to: area.width - 4), x: 2, y: y + 2)
    let end = 58
    var row = y + 4
    let room = area.maxY - 6 - row
    let lines =
      receipt.items.map {
        ($0.sku, "\($0.quantity) × \(Money.format($0.price))", Money.format($0.amount))
      }
      + receipt.perCode.map { code in
        let what =
          code.giftBalanceLeft.map { "gift card, \(Money.format($0)) left" } ?? "discount"
        return (code.code, what, "−" + Money.format(code.amount))
      }
    let shown = lines.count > room ? max(0, room - 1) : lines.count
    for (name, what, amount) in lines.prefix(shown) {
      canvas.put(name.fitted(to: 22), x: 2, y: row)
      canvas.put(what.fitted(to: 22), x: 25, y: row, style: .dim)
      canvas.putRight(amount, end: end, y: row)
      row += 1
    }
    if shown < lines.count {
      canvas.put(
        "… and \(lines.count - shown) more (on the receipt file)", x: 2, y: row, style: .dim)
      row += 1
    }
    row += 1
    func total(_ label: String, _ minor: Int64, style: Style = []) {
      canvas.put(label, x: 2, y: row, style: style)
      canvas.putRight(Money.format(minor), end: end, y: row, style: style)
      canvas.put(currency, x: end + 1, y: row, style: style)
      row += 1
    }
    total("Subtotal", receipt.orderAmount)
    if receipt.discount > 0 { total("Discount", receipt.discount) }
    if receipt.giftCredits > 0 { total("Gift cards", receipt.giftCredits) }
    total("Amount to pay", receipt.amountToPay, style: .bold)
    canvas.put("Enter starts a new sale.", x: 2, y: row + 1)
    if let receiptNote {
      canvas.put(
        receiptNote.text.fitted(to: area.width - 4), x: 2, y: area.maxY - 1,
        style: receiptNote.isError ? .error : .dim)
    }
  }
}
