import Foundation
import VoucherClient
import VoucherEngine

// The day's sales and voids. A cashier may void only this till's last sale, within
// `Session.voidWindow`; support may void any. The back end's own roles still decide: a key
// that may not roll back is refused there, and the screen says so.
extension AppState {
  mutating func openSales() -> [Effect] {
    guard session.capabilities.listsDaysSales else {
      notice = Notice("This voucher system does not list a till's sales.", isError: true)
      return []
    }
    if route != .daysSales { routeBeforeSales = route }
    route = .daysSales
    sales = SalesScreen(day: now)
    return [loadSales()]
  }

  private func loadSales() -> Effect {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = session.timeZone
    let start = calendar.startOfDay(for: now)
    return .loadSales(terminal: session.terminal, from: start, to: now.addingTimeInterval(60))
  }

  mutating func salesLoaded(_ result: Result<[Redemption], ClientError>) -> [Effect] {
    guard var screen = sales else { return [] }
    switch result {
    case .success(let found):
      screen.sales = found.sorted { $0.date > $1.date }
      screen.selection = min(screen.selection, max(0, found.count - 1))
      if case .loading = screen.phase { screen.phase = .listed }
    case .failure(let error):
      screen.phase = .failed(sentence(error))
    }
    sales = screen
    return []
  }

  mutating func salesCommand(_ command: Command) -> [Effect] {
    guard var screen = sales else { return [] }
    defer { sales = screen }
    switch (command, screen.phase) {
    case (.back, .voiding), (.back, .failed):
      screen.phase = .listed
    case (.back, _):
      route = routeBeforeSales
      sales = nil
      return []
    case (.moveUp, .listed), (.moveDown, .listed), (.pageUp, .listed), (.pageDown, .listed),
      (.first, .listed), (.last, .listed):
      screen.selection = Self.moved(screen.selection, by: command, count: screen.sales.count)
    case (.confirm, .listed):
      guard let sale = screen.selected else { return [] }
      guard sale.status == .succeeded else {
        notice = Notice("This sale is voided already.", isError: true)
        return []
      }
      if let refusal = voidRefusal(sale, among: screen.sales) {
        if session.needsStaffPIN {
          // Beyond a cashier's void: support's, once its PIN is given.
          sales = screen
          return askStaffPIN(for: .void)
        }
        notice = Notice(refusal, isError: true)
        return []
      }
      screen.outcome = nil
      screen.phase = .voiding(reason: "")
    case (.confirm, .voiding(let reason)):
      let text = reason.trimmingCharacters(in: .whitespaces)
      guard !text.isEmpty, let sale = screen.selected else {
        notice = Notice("Type the reason first: it goes into the audit trail.", isError: true)
        return []
      }
      screen.phase = .sendingVoid
      return [.void(redemptionId: sale.id, reason: text, by: session.cashier)]
    default:
      break
    }
    return []
  }

  /// Why the one at the till may not void `sale`, or nil when they may.
  func voidRefusal(_ sale: Redemption, among all: [Redemption]) -> String? {
    // Support unproved by a PIN voids as a cashier does, until the PIN is given.
    guard session.role != .support || session.needsStaffPIN else { return nil }
    let minutes = Int(session.voidWindow / 60)
    // The last sale still standing: one voided already is no longer the till's last.
    let standing = all.filter { $0.status == .succeeded }
    guard sale.id == standing.max(by: { $0.date < $1.date })?.id else {
      return "A cashier may void only this till's last sale; support may void others."
    }
    guard now.timeIntervalSince(sale.date) <= session.voidWindow else {
      return "A cashier may void a sale only within \(minutes) minutes of it; ask support."
    }
    return nil
  }

  mutating func voided(_ id: String, _ result: Result<[Rollback], ClientError>) -> [Effect] {
    guard var screen = sales, screen.phase == .sendingVoid else { return [] }
    screen.phase = .listed
    switch result {
    case .success(let rollbacks):
      let order = screen.sales.first { $0.id == id }?.order.sourceId ?? id
      screen.outcome = Notice(
        "Voided \(order): \(rollbacks.count) voucher use\(rollbacks.count == 1 ? "" : "s") given back."
      )
      sales = screen
      var effects = [loadSales()]
      if let sale = screen.sales.first(where: { $0.id == id }) {
        // The VOID copy of the receipt, beside the original.
        var copy = PrintedReceipt(sale, session: session, currency: session.currency)
        copy.voided = (
          reason: rollbacks.first?.reason ?? "", at: rollbacks.first?.date ?? now,
          by: rollbacks.first?.by ?? session.cashier
        )
        effects.append(.fileReceipt(copy))
      }
      return effects
    case .failure(let error):
      screen.outcome = Notice("Not voided: \(sentence(error))", isError: true)
      sales = screen
      return []
    }
  }
}
