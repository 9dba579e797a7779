/// A key press, as the terminal adapter decodes it.
public enum Key: Hashable, Sendable {
  case character(Character)
  /// A control chord; the letter is lower case (`.control("q")` is Ctrl-Q).
  case control(Character)
  case function(Int)
  case enter, escape, tab, backTab
  case up, down, left, right, home, end, pageUp, pageDown
  case backspace, delete
  /// The terminal changed size.
  case resize

  /// How help and the footer write the key.
  public var name: String {
    switch self {
    case .character(" "): "Space"
    case .character(let character): String(character)
    case .control(let letter): "Ctrl-\(letter.uppercased())"
    case .function(let number): "F\(number)"
    case .enter: "Enter"
    case .escape: "Esc"
    case .tab: "Tab"
    case .backTab: "Shift-Tab"
    case .up: "↑"
    case .down: "↓"
    case .left: "←"
    case .right: "→"
    case .home: "Home"
    case .end: "End"
    case .pageUp: "PgUp"
    case .pageDown: "PgDn"
    case .backspace: "Backspace"
    case .delete: "Del"
    case .resize: "Resize"
    }
  }
}
