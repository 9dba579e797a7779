import VoucherEngine

/// The smallest terminal the screens are laid out for.
public let minimumSize = (width: 80, height: 24)

/// Draws the whole frame: status bar, title, the current screen, the notice line, the
/// footer from the key table, and help on top when it is open.
public func render(_ state: AppState, into canvas: inout Canvas) {
  canvas.cursor = nil
  guard canvas.width >= minimumSize.width, canvas.height >= minimumSize.height else {
    // In as many lines as the width needs: it must be readable at 40×10 too.
    let whole =
      "Please enlarge the terminal to at least \(minimumSize.width)×\(minimumSize.height) (now \(canvas.width)×\(canvas.height))"
    let lines =
      DisplayWidth.of(whole) <= canvas.width
      ? [whole]
      : [
        "Please enlarge the terminal", "to at least \(minimumSize.width)×\(minimumSize.height)",
        "(now \(canvas.width)×\(canvas.height))",
      ]
    let top = max(0, canvas.height / 2 - lines.count / 2)
    for (offset, line) in lines.enumerated() {
      let fitted = line.fitted(to: canvas.width)
      canvas.put(
        fitted, x: max(0, (canvas.width - DisplayWidth.of(fitted)) / 2), y: top + offset,
        style: .bold)
    }
    return
  }
  let session = state.session
  canvas.fill(y: 0, style: .reverse)
  let right = "Till \(session.terminal) │ \(session.cashier) (\(session.roleLabel)) "
  let rightStart = canvas.putRight(right.fitted(to: 40), end: canvas.width, y: 0, style: .reverse)
  let start = canvas.put(" Voucher POS │ ", x: 0, y: 0, style: [.reverse, .bold])
  let room = rightStart - start - 2
  var backend = session.isDemo ? "DEMO" : session.backend.fittedFromStart(to: room)
  if session.isRemote {
    // The health label is never cut; the URL gives way, scheme first.
    let health =
      switch session.backendAnswers {
      case true?: " ● online"
      case false?: " ✕ offline"
      case nil: " … checking"
      }
    var address = session.backend
    if let scheme = address.range(of: "://") { address = String(address[scheme.upperBound...]) }
    backend = address.fitted(to: room - DisplayWidth.of(health)) + health
  }
  canvas.put(backend, x: start, y: 0, style: [.reverse, .bold])

  // Over the PIN prompt only its own keys act.
  let footer =
    state.staffPIN != nil
    ? ["F1 Help  Enter Check PIN  Tab Name or PIN  Esc Not now"]
    : KeyMap.footer(
      for: state.route, role: session.role, enter: state.enterLabel, width: canvas.width - 2,
      unavailable: session.capabilities.unavailableCommands)
  let footerTop = canvas.height - max(1, footer.count)
  let area = Rect(x: 0, y: 2, width: canvas.width, height: footerTop - 3)
  let title: String
  switch state.route {
  case .emptyDatabase:
    title = "No data yet"
    EmptyDatabaseScreen.render(into: &canvas, in: area, session: session)
  case .findContact:
    title = "Find contact"
    state.findContact.render(into: &canvas, in: area, session: session)
  case .contact:
    title = "Contact"
    state.contact?.render(into: &canvas, in: area, session: session)
  case .cart:
    title = "Cart"
    state.cart.render(into: &canvas, in: area, sale: state.sale, session: session)
  case .redeem:
    title = "Redeem"
    state.redeem?.render(into: &canvas, in: area, now: state.now)
  case .support:
    title = "Reactivate voucher"
    state.support?.render(into: &canvas, in: area)
  case .voucherDetail:
    title = "Voucher"
    state.detail?.render(into: &canvas, in: area, session: session)
  case .daysSales:
    title = "Today's sales"
    state.sales?.render(into: &canvas, in: area, session: session)
  case .recovery:
    title = "Unfinished sales"
    state.recovery?.render(into: &canvas, in: area, session: session, now: state.now)
  }
  canvas.put(title, x: 1, y: 1, style: [.bold, .accent])
  if state.route == .cart {
    canvas.putRight("Order \(state.sale.orderId)", end: canvas.width - 1, y: 1, style: .dim)
  }

  if let notice = state.notice {
    canvas.put(
      notice.text.fitted(to: canvas.width - 2), x: 1, y: footerTop - 1,
      style: notice.isError ? [.error, .bold] : .success)
  }
  for (offset, line) in footer.enumerated() {
    canvas.fill(y: footerTop + offset, style: .reverse)
    canvas.put(" " + line, x: 0, y: footerTop + offset, style: .reverse)
  }
  if let question = state.question { QuestionBox.render(question, of: state, into: &canvas) }
  state.staffPIN?.render(into: &canvas)
  if state.showsHelp { HelpScreen.render(into: &canvas, role: session.role) }
}
