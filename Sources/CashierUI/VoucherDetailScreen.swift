import Foundation
import QRText
import VoucherEngine

/// Everything a cashier might be asked about one voucher: kind and value, uses or balance,
/// when it is valid, what it needs of an order, whose it is, reactivations left, and what
/// happened to it. What the back end cannot tell is said to be not known.
public struct VoucherDetailScreen: Equatable, Sendable {
  public enum Phase: Equatable, Sendable {
    case loading
    case shown
    case failed(String)
  }

  public var code: String
  public var voucher: Voucher?
  public var status: VoucherStatus?
  /// nil: the back end cannot tell.
  public var history: [VoucherHistoryEntry]?
  public var holder: Customer?
  public var phase = Phase.loading
  public var scroll = 0
  /// Where Esc goes back to.
  var returnRoute: Route

  init(code: String, returnRoute: Route) {
    self.code = code
    self.returnRoute = returnRoute
  }

  static let notKnown = "not known"

  public func render(into canvas: inout Canvas, in area: Rect, session: Session) {
    let y = area.y
    switch phase {
    case .loading:
      canvas.put("Looking up \(code)…", x: 2, y: y, style: .dim)
      return
    case .failed(let sentence):
      canvas.put(sentence.fitted(to: area.width - 4), x: 2, y: y, style: .error)
      return
    case .shown:
      break
    }
    guard let voucher else { return }
    let zone = session.timeZone
    func day(_ date: Date?) -> String {
      date.map { CashierWords.formatDay($0, timeZone: zone) } ?? ""
    }
    let width = area.width - 4
    var rows: [(String, String)] = [
      ("Kind", Self.kind(of: voucher)),
      ("Uses / balance", ContactScreen.uses(of: voucher)),
      ("Status", status.map(ContactScreen.word(for:)) ?? Self.notKnown),
      (
        "Valid",
        {
          switch (voucher.startDate, voucher.expirationDate) {
          case (let start?, let end?): "\(day(start)) – \(day(end))"
          case (let start?, nil): "from \(day(start))"
          case (nil, let end?): "until \(day(end))"
          case (nil, nil): "always"
          }
        }()
      ),
    ]
    if !voucher.validity.isEmpty { rows.append(("Only", Self.windows(voucher.validity))) }
    rows.append(("Minimum order", voucher.minOrderAmount.map(Money.format) ?? "none"))
    if !voucher.applicableTo.isEmpty {
      rows.append(("Applies to", voucher.applicableTo.joined(separator: ", ")))
    }
    if !voucher.inapplicableTo.isEmpty {
      rows.append(("Not to", voucher.inapplicableTo.joined(separator: ", ")))
    }
    if let holderId = voucher.holderId {
      rows.append(("Holder", holder.map { $0.name ?? $0.id } ?? holderId))
    } else if let limit = voucher.perCustomer {
      rows.append(("Per customer", "\(limit) use\(limit == 1 ? "" : "s") each"))
    } else {
      rows.append(("Holder", "anyone"))
    }
    rows.append(
      ("Reactivations", "\(voucher.reactivationsLeft) of \(voucher.reactivationLimit) left"))

    // The code as a QR code on the right, when the terminal has room for it beside the
    // conditions (a customer scans it into a wallet).
    var textWidth = width
    if let code = QRText.halfBlocks(voucher.code), let codeWidth = code.first?.count,
      area.width - codeWidth - 2 >= 52, code.count <= area.height
    {
      let left = area.width - codeWidth - 1
      for (offset, line) in code.enumerated() {
        canvas.put(line, x: left, y: y + offset)
      }
      textWidth = left - 4
    }
    canvas.put(voucher.code.fitted(to: textWidth), x: 2, y: y, style: .bold)
    for (offset, row) in rows.enumerated() {
      canvas.put(row.0, x: 2, y: y + 2 + offset, style: .bold)
      canvas.put(row.1.fitted(to: textWidth - 18), x: 20, y: y + 2 + offset)
    }
    var line = y + 3 + rows.count
    canvas.put("History", x: 2, y: line, style: .bold)
    line += 1
    guard let history else {
      canvas.put("not known: this voucher system does not tell", x: 4, y: line, style: .dim)
      return
    }
    if history.isEmpty { canvas.put("never used", x: 4, y: line) }
    for entry in history.dropFirst(scroll) {
      guard line < area.maxY else { break }
      let when = CashierWords.formatDayAndTime(entry.date, timeZone: zone)
      let place = entry.terminal.map { " at \($0)" } ?? ""
      let who = entry.who.map { " by \($0)" } ?? ""
      let why = entry.why.map { ": \($0)" } ?? ""
      let order = entry.order.map { ", order \($0)" } ?? ""
      canvas.put(
        "\(when) \(entry.kind.rawValue) \(Money.format(entry.amount))\(place)\(who)\(order)\(why)"
          .fitted(to: textWidth - 2), x: 4, y: line)
      line += 1
    }
  }

  static func kind(of voucher: Voucher) -> String {
    switch voucher.kind {
    case .gift: "gift card, \(ContactScreen.value(of: voucher))"
    case .discount: "discount, \(ContactScreen.value(of: voucher))"
    }
  }

  /// `Mon, Tue · 09:00–17:00`: the days and hours a voucher may be used.
  static func windows(_ rules: ValidityRules) -> String {
    let names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    var parts: [String] = []
    if let days = rules.daysOfWeek {
      parts.append(
        days.compactMap { names.indices.contains($0) ? names[$0] : nil }.joined(separator: ", "))
    }
    for window in rules.hours ?? [] {
      func clock(_ minute: Int) -> String {
        let hour = minute / 60
        let rest = minute % 60
        return "\(hour < 10 ? "0" : "")\(hour):\(rest < 10 ? "0" : "")\(rest)"
      }
      parts.append("\(clock(window.startMinute))–\(clock(window.endMinute))")
    }
    if rules.timeframe != nil { parts.append("in recurring windows") }
    return parts.joined(separator: " · ")
  }
}
