/// The help overlay, written from the key table itself.
public enum HelpScreen {
  public static func render(into canvas: inout Canvas, role: Role) {
    let bindings = KeyMap.bindings.filter { $0.role == nil || $0.role == role }
    let width = min(72, canvas.width - 4)
    let height = bindings.count + 4
    let left = (canvas.width - width) / 2
    let top = max(1, (canvas.height - height) / 2)
    for row in top..<(top + height) { canvas.fill(y: row, x: left, count: width, style: []) }
    let rule = String(repeating: "─", count: width - 2)
    canvas.put("┌\(rule)┐", x: left, y: top)
    canvas.put(" Keys ", x: left + 2, y: top, style: .bold)
    for row in (top + 1)..<(top + height - 1) {
      canvas.put("│", x: left, y: row)
      canvas.put("│", x: left + width - 1, y: row)
    }
    canvas.put("└\(rule)┘", x: left, y: top + height - 1)
    for (index, binding) in bindings.enumerated() {
      let keys = binding.keys.map(\.name).joined(separator: " / ")
      canvas.put(keys, x: left + 2, y: top + 1 + index, style: .bold)
      canvas.put(binding.label.fitted(to: width - 26), x: left + 24, y: top + 1 + index)
    }
    canvas.put(
      "Esc, Enter, F1 or ? closes this help.", x: left + 2, y: top + height - 2, style: .dim)
    canvas.cursor = nil
  }
}
