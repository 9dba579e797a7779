import Foundation
import VoucherClient
import VoucherEngine

/// Before the first sale: the attempts an earlier run of this till left without an
/// outcome (it quit, crashed or lost power while a redeem was unknown), each resolved
/// through the back end before anything else happens.
public struct RecoveryScreen: Equatable, Sendable {
  public enum State: Equatable, Sendable {
    /// A question is out; `asks` counts the ones before it that settled nothing.
    case asking(asks: Int)
    case redeemed(redemptionId: String)
    case notRedeemed
    /// Still not known; asked again at `nextAsk`.
    case unknown(String, nextAsk: Date, asks: Int)
  }

  public struct Item: Equatable, Sendable {
    public var entry: JournalAttempt
    public var state = State.asking(asks: 0)
  }

  public var items: [Item]

  public init(_ unresolved: [JournalAttempt]) {
    items = unresolved.map { Item(entry: $0) }
  }

  /// Every attempt has an outcome: the first sale may start.
  public var isDone: Bool {
    items.allSatisfy {
      switch $0.state {
      case .redeemed, .notRedeemed: true
      case .asking, .unknown: false
      }
    }
  }

  public func render(into canvas: inout Canvas, in area: Rect, session: Session, now: Date) {
    let y = area.y
    canvas.put(
      "The till stopped before it knew how these sales ended. Checking each one:", x: 2, y: y)
    var row = y + 2
    for item in items {
      guard row + 2 < area.maxY else { break }
      let entry = item.entry
      let request = entry.attempt.request
      let who = entry.customerName.map { " · \($0)" } ?? ""
      canvas.put(
        "Order \(request.orderSourceId ?? "")\(who)".fitted(to: area.width - 4), x: 2, y: row,
        style: .bold)
      let codes = request.codes.map(\.code).joined(separator: ", ")
      let started = CashierWords.formatDayAndTime(
        entry.attempt.sentAt, timeZone: session.timeZone)
      canvas.put(
        "\(codes) · to pay \(Amount.text(entry.total, entry.currency)) · sent \(started)"
          .fitted(to: area.width - 6), x: 4, y: row + 1)
      let (text, style): (String, Style) =
        switch item.state {
        case .asking: ("Asking the voucher system…", .dim)
        case .redeemed(let id): ("Redeemed (\(id)): the vouchers were used.", [.success, .bold])
        case .notRedeemed: ("Not redeemed: the vouchers were not used.", .bold)
        case .unknown(let why, let next, _):
          (
            "Not known yet. \(why) Asking again in \(RedeemScreen.seconds(until: next, now: now)) s.",
            [.error, .bold]
          )
        }
      canvas.put(text.fitted(to: area.width - 6), x: 4, y: row + 2, style: style)
      row += 4
    }
    let closing =
      isDone
      ? "Enter goes on to the first sale."
      : "Enter asks again now. F10 quits and keeps them for the next start."
    canvas.put(closing, x: 2, y: min(row, area.maxY - 1))
  }
}
