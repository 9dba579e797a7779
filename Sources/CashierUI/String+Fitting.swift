import VoucherEngine

extension String {
  /// Cut to `width` columns, ending in "…" when something was cut.
  /// Control characters count as the escapes the canvas shows for them.
  func fitted(to width: Int) -> String {
    guard width > 0 else { return "" }
    let text = Canvas.visible(self)
    if DisplayWidth.of(text) <= width { return text }
    var result = ""
    var used = 0
    for character in text {
      let columns = DisplayWidth.of(String(character))
      if used + columns > width - 1 { break }
      result.append(character)
      used += columns
    }
    return result + "…"
  }

  /// Cut from the front, for paths whose end says the most.
  func fittedFromStart(to width: Int) -> String {
    guard width > 0 else { return "" }
    let text = Canvas.visible(self)
    if DisplayWidth.of(text) <= width { return text }
    var result = ""
    var used = 0
    for character in text.reversed() {
      let columns = DisplayWidth.of(String(character))
      if used + columns > width - 1 { break }
      result.insert(character, at: result.startIndex)
      used += columns
    }
    return "…" + result
  }
}
