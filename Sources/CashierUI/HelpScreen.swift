/// The help overlay, written from the key table itself.
public enum HelpScreen {
  public static func render(into canvas: inout Canvas, role: Role) {
    let rows = KeyMap.helpRows(for: role)
    let width = min(76, canvas.width - 2)
    let height = min(rows.count + 3, canvas.height - 1)
    let left = (canvas.width - width) / 2
    let top = max(0, (canvas.height - height) / 2)
    for row in top..<(top + height) { canvas.fill(y: row, x: left, count: width, style: []) }
    let rule = String(repeating: "─", count: width - 2)
    canvas.put("┌\(rule)┐", x: left, y: top)
    canvas.put(" Keys ", x: left + 2, y: top, style: .bold)
    for row in (top + 1)..<(top + height - 1) {
      canvas.put("│", x: left, y: row)
      canvas.put("│", x: left + width - 1, y: row)
    }
    canvas.put("└\(rule)┘", x: left, y: top + height - 1)
    for (index, row) in rows.prefix(height - 3).enumerated() {
      canvas.put(row.keys, x: left + 2, y: top + 1 + index, style: .bold)
      canvas.put(row.label.fitted(to: width - 27), x: left + 25, y: top + 1 + index)
    }
    canvas.put(
      "Esc, Enter, F1 or ? closes this help.", x: left + 2, y: top + height - 2, style: .dim)
    canvas.cursor = nil
  }
}
