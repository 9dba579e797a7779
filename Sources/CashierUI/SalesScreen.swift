import Foundation
import VoucherEngine

/// The day's sales of this till, newest first, from the back end, with totals; a sale can be
/// voided from here: every redemption of it rolled back in one step, with a reason.
public struct SalesScreen: Equatable, Sendable {
  public enum Phase: Equatable, Sendable {
    case loading
    case listed
    case failed(String)
    /// Typing the reason to void the selected sale.
    case voiding(reason: String)
    case sendingVoid
  }

  public var day: Date
  public var sales: [Redemption] = []
  public var selection = 0
  public var phase = Phase.loading
  /// What the latest void did, or why it was refused.
  public var outcome: Notice?

  public init(day: Date) {
    self.day = day
  }

  var selected: Redemption? {
    sales.indices.contains(selection) ? sales[selection] : nil
  }

  /// Sales not voided: what the totals count.
  var standing: [Redemption] { sales.filter { $0.status == .succeeded } }

  var focusedText: String? {
    if case .voiding(let reason) = phase { return reason }
    return nil
  }

  public func handle(_ key: Key) -> Action? {
    guard case .voiding(let reason) = phase else { return nil }
    return TextEditing.edit(reason, with: key).map { .voidReasonEdited($0) }
  }

  public func render(into canvas: inout Canvas, in area: Rect, session: Session) {
    let y = area.y
    let zone = session.timeZone
    canvas.put(
      "Till \(session.terminal) · \(CashierWords.formatDay(day, timeZone: zone))".fitted(
        to: area.width - 4), x: 2, y: y, style: .bold)
    switch phase {
    case .loading:
      canvas.put("Loading the day's sales…", x: 2, y: y + 2, style: .dim)
      return
    case .failed(let sentence):
      canvas.put(sentence.fitted(to: area.width - 4), x: 2, y: y + 2, style: .error)
      return
    default:
      break
    }
    let currency = session.currency
    canvas.row(
      [("Time", 2, 5), ("Order", 8, 24), ("Codes", 33, 18)], y: y + 2, selected: false)
    canvas.putRight("Vouchers", end: 64, y: y + 2)
    canvas.putRight("Paid", end: 78, y: y + 2)
    if sales.isEmpty {
      canvas.put("No sales at this till today.", x: 2, y: y + 3)
    }
    let totalsRow = area.maxY - 4
    let visible = max(1, totalsRow - 1 - (y + 3))
    let first = max(0, min(selection - visible + 1, sales.count - visible))
    for index in first..<min(sales.count, first + visible) {
      let sale = sales[index]
      let row = y + 3 + index - first
      let selected = index == selection
      let parts = sale.children.isEmpty ? [sale] : sale.children
      let codes = parts.compactMap(\.voucherCode).joined(separator: ", ")
      let voided = sale.status == .rolledBack
      canvas.row(
        [
          (Self.time(sale.date, zone), 2, 5), (sale.order.sourceId ?? sale.order.id, 8, 24),
          (voided ? "VOID " + codes : codes, 33, 18),
        ], y: row, selected: selected)
      let style: Style = selected ? .reverse : (voided ? .dim : [])
      canvas.putRight(Money.format(sale.amount), end: 64, y: row, style: style)
      canvas.putRight(Money.format(sale.order.totalAmount), end: 78, y: row, style: style)
    }
    let standing = standing
    let off = standing.reduce(Int64(0)) { $0 + $1.amount }
    let paid = standing.reduce(Int64(0)) { $0 + $1.order.totalAmount }
    let voided = sales.count - standing.count
    canvas.put(
      "\(standing.count) sale\(standing.count == 1 ? "" : "s")\(voided > 0 ? ", \(voided) voided" : "")",
      x: 2, y: totalsRow, style: .bold)
    canvas.putRight(Amount.text(off, currency), end: 68, y: totalsRow, style: .bold)
    canvas.put("vouchers", x: 69, y: totalsRow, style: .dim)
    canvas.putRight(Amount.text(paid, currency), end: 68, y: totalsRow + 1, style: .bold)
    canvas.put("paid", x: 69, y: totalsRow + 1, style: .dim)
    switch phase {
    case .voiding(let reason):
      canvas.put("Void reason", x: 2, y: totalsRow + 2, style: .bold)
      canvas.field(reason, x: 14, y: totalsRow + 2, width: 50, focused: true)
    case .sendingVoid:
      canvas.put("Voiding…", x: 2, y: totalsRow + 2, style: .dim)
    default:
      if let outcome {
        canvas.put(
          outcome.text.fitted(to: area.width - 4), x: 2, y: totalsRow + 2,
          style: outcome.isError ? .error : .success)
      }
    }
  }

  /// `14:05` in `zone`.
  static func time(_ date: Date, _ zone: TimeZone) -> String {
    String(CashierWords.formatDayAndTime(date, timeZone: zone).suffix(5))
  }
}
