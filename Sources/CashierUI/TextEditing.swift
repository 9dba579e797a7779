import VoucherEngine

/// The one-line text editing every field shares: type, Backspace, Ctrl-U clears. Text
/// longer than its field scrolls inside it (the field shows its end); a paste of 10 KB is
/// taken whole. Control characters are never typed into a field.
enum TextEditing {
  /// Bytes a field holds: far beyond any code, line or name, short of a runaway paste.
  static let limit = 16_384

  static func edit(_ text: String, with key: Key) -> String? {
    switch key {
    case .character(let character):
      guard !character.isNewline, text.utf8.count < limit,
        !character.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
      else { return nil }
      return text + String(character)
    case .backspace:
      return text.isEmpty ? nil : String(text.dropLast())
    case .control("u"):
      return text.isEmpty ? nil : ""
    default:
      return nil
    }
  }
}

extension Canvas {
  /// Draws `[text   ]` with `width` columns inside the brackets; a focused field gets the
  /// cursor. Long text shows its end, where the cashier is typing.
  mutating func field(_ text: String, x: Int, y: Int, width: Int, focused: Bool) {
    put("[", x: x, y: y, style: focused ? .bold : [])
    // The end of the text, as much as fits: counted from the end, so a long paste costs
    // what the field shows, not its whole length.
    var shown = ""
    var used = 0
    for character in Canvas.visible(text).reversed() {
      let columns = DisplayWidth.of(String(character))
      if used + columns > width - 1 { break }
      shown.insert(character, at: shown.startIndex)
      used += columns
    }
    let end = put(shown, x: x + 1, y: y, style: .underline)
    fill(y: y, x: end, count: x + 1 + width - end, style: .underline)
    put("]", x: x + 1 + width, y: y, style: focused ? .bold : [])
    if focused { cursor = Position(x: end, y: y) }
  }

  /// A list row: the selected one in reverse video across the row.
  mutating func row(_ columns: [(text: String, x: Int, width: Int)], y: Int, selected: Bool) {
    let style: Style = selected ? .reverse : []
    if selected { fill(y: y, x: 1, count: width - 2, style: style) }
    for column in columns {
      put(column.text.fitted(to: column.width), x: column.x, y: y, style: style)
    }
  }
}

/// Amounts as the till writes them.
enum Amount {
  static func text(_ minor: Int64, _ currency: String) -> String {
    "\(Money.format(minor)) \(currency)"
  }
}
