import Foundation
import VoucherEngine

/// One contact: who it is, and their vouchers under Available / Redeemed / Expired / All.
public struct ContactScreen: Equatable, Sendable {
  public var customer: Customer
  public var tab = VoucherFilter.available
  public var page: VoucherPage?
  /// Kept from the last answer, so the tab bar does not blink while a tab loads.
  public var counts: [VoucherFilter: Int] = [:]
  public var selection = 0
  public var error: String?

  public init(customer: Customer) {
    self.customer = customer
  }

  var selected: ListedVoucher? {
    guard let items = page?.items, items.indices.contains(selection) else { return nil }
    return items[selection]
  }

  public func handle(_ key: Key) -> Action? { nil }

  static func tabTitle(_ tab: VoucherFilter) -> String {
    switch tab {
    case .available: "Available"
    case .redeemed: "Redeemed"
    case .expired: "Expired"
    case .all: "All"
    }
  }

  public func render(into canvas: inout Canvas, in area: Rect, session: Session) {
    let y = area.y
    canvas.put((customer.name ?? customer.id).fitted(to: area.width - 4), x: 2, y: y, style: .bold)
    let details = [
      customer.email, customer.phone, customer.memberNumber.map { "member \($0)" },
      customer.sourceId.map { "id \($0)" },
    ].compactMap { $0 }.joined(separator: " · ")
    canvas.put(details.fitted(to: area.width - 4), x: 2, y: y + 1)

    var x = 2
    for tab in VoucherFilter.allCases {
      let count = counts[tab].map { " (\($0))" } ?? ""
      let title = " \(Self.tabTitle(tab))\(count) "
      x = canvas.put(title, x: x, y: y + 3, style: tab == self.tab ? [.reverse, .bold] : []) + 2
    }

    canvas.row(
      [
        ("Code", 2, 19), ("Value", 22, 18), ("Uses / balance", 42, 16), ("Expires", 60, 11),
        ("Status", 72, 8),
      ], y: y + 5, selected: false)
    if let error {
      canvas.put(error.fitted(to: area.width - 4), x: 2, y: y + 6, style: .error)
      return
    }
    guard let page else {
      canvas.put("Loading…", x: 2, y: y + 6, style: .dim)
      return
    }
    if page.items.isEmpty {
      canvas.put("No vouchers under this tab.", x: 2, y: y + 6)
      return
    }
    let visible = max(1, area.maxY - (y + 6))
    let first = max(0, selection - visible + 1)
    for (offset, listed) in page.items.dropFirst(first).prefix(visible).enumerated() {
      let row = y + 6 + offset
      let voucher = listed.voucher
      canvas.row(
        [
          (voucher.code, 2, 19), (Self.value(of: voucher), 22, 18),
          (Self.uses(of: voucher), 42, 16),
          (
            voucher.expirationDate.map { CashierWords.formatDay($0, timeZone: session.timeZone) }
              ?? "never", 60, 11
          ), (Self.word(for: listed.status), 72, 8),
        ], y: row, selected: first + offset == selection)
      if first + offset != selection, listed.status == .disabled || listed.status == .notActiveYet {
        for column in 2..<min(canvas.width, 80) where canvas[column, row].width > 0 {
          canvas.put(canvas[column, row].text, x: column, y: row, style: .dim)
        }
      }
    }
  }

  static func value(of voucher: Voucher) -> String {
    switch voucher.kind {
    case .gift(let amount, _):
      return "gift \(Money.format(amount))"
    case .discount(.amount(let off)):
      return "\(Money.format(off)) off"
    case .discount(.fixed(let price)):
      return "price \(Money.format(price))"
    case .discount(.percent(let basisPoints, let limit)):
      let whole = basisPoints / 100
      let rest = basisPoints % 100
      let percent =
        rest == 0 ? "\(whole)" : "\(whole).\(rest % 10 == 0 ? "\(rest / 10)" : "\(rest)")"
      return limit.map { "\(percent) % off (≤\(Money.format($0)))" } ?? "\(percent) % off"
    }
  }

  static func uses(of voucher: Voucher) -> String {
    if case .gift(_, let balance) = voucher.kind { return "\(Money.format(balance)) left" }
    guard let quantity = voucher.quantity else { return "unlimited" }
    return "\(voucher.usesLeft ?? 0) of \(quantity) left"
  }

  static func word(for status: VoucherStatus) -> String {
    switch status {
    case .active: "active"
    case .used: "used"
    case .noBalance: "empty"
    case .expired: "expired"
    case .notActiveYet: "not yet"
    case .disabled: "off"
    }
  }
}
