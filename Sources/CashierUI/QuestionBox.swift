import VoucherEngine

/// A question over the screen, asked before the till changes the sale.
enum QuestionBox {
  static func render(_ question: Question, of state: AppState, into canvas: inout Canvas) {
    let lines: [String]
    switch question {
    case .switchCustomer(let customer):
      let current = state.sale.customer?.name ?? state.sale.customer?.id ?? "someone else"
      let personal = state.sale.personalCodes
      let removes =
        personal.isEmpty
        ? "  Its codes and lines stay on it."
        : "  Removes \(personal.joined(separator: ", ")), personal to \(current)."
      lines = [
        "This sale is for \(current).",
        "Enter: make it \(customer.name ?? customer.id)'s sale.",
        removes,
        "Esc: keep \(current)'s sale.",
      ]
    case .attachHolder(let code, let holder):
      lines = [
        "\(code.code) belongs to \(holder.name ?? holder.id).",
        "Enter attaches \(holder.name ?? holder.id) to the sale and adds the code.",
        "Esc drops the code.",
      ]
    case .largeSale(let subtotal, let currency):
      lines = [
        "This sale is \(Amount.text(subtotal, currency)): above the till's limit of \(Amount.text(state.session.maxSale, currency)).",
        "Check the prices: a line typed with two zeros too many is caught here.",
        "Enter redeems it all the same; Esc goes back to the cart.",
      ]
    case .quitUnresolved:
      lines = [
        "Order \(state.sale.orderId): not known yet whether the vouchers were used.",
        "Enter or F10 quits and keeps the sale in the journal: the next start checks it.",
        "Esc stays and keeps asking.",
      ]
    }
    let width = min(canvas.width - 4, 76)
    let left = (canvas.width - width) / 2
    let top = max(1, canvas.height / 2 - 3)
    let rule = String(repeating: "─", count: width - 2)
    canvas.put("┌\(rule)┐", x: left, y: top)
    for (offset, text) in lines.enumerated() {
      let row = top + 1 + offset
      canvas.fill(y: row, x: left, count: width, style: [])
      canvas.put("│", x: left, y: row)
      canvas.put(
        text.fitted(to: width - 4), x: left + 2, y: row, style: offset == 0 ? .bold : [])
      canvas.put("│", x: left + width - 1, y: row)
    }
    canvas.put("└\(rule)┘", x: left, y: top + 1 + lines.count)
    canvas.cursor = nil
  }
}
