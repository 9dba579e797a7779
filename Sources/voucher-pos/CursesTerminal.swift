import CNcurses
import CashierUI
import Foundation

/// The curses side of the till: copies a `Canvas` to the screen (changed rows only) and
/// reads keys with a short timeout so the countdown keeps moving.
final class CursesTerminal {
  private var previous: Canvas?
  private let usesColor: Bool
  private var screen: OpaquePointer?
  private var isStopped = false
  private var files: [UnsafeMutablePointer<FILE>] = []
  private var cursorVisible: Int32 = -1
  /// Bytes that leave the alternate screen and show the cursor: what a signal handler
  /// writes when there is no time for `endwin`.
  private(set) var resetSequence: [UInt8] = []

  private init(usesColor: Bool, screen: OpaquePointer?, files: [UnsafeMutablePointer<FILE>]) {
    self.screen = screen
    self.files = files
    let window = cnc_stdscr()
    cbreak()
    noecho()
    nonl()
    intrflush(window, false)
    keypad(window, true)
    set_escdelay(25)
    if usesColor, has_colors() {
      start_color()
      use_default_colors()
      init_pair(1, Int16(COLOR_RED), -1)
      init_pair(2, Int16(COLOR_GREEN), -1)
      init_pair(3, Int16(COLOR_CYAN), -1)
      self.usesColor = true
    } else {
      self.usesColor = false
    }
    for capability in ["rmcup", "rmkx", "sgr0", "cnorm"] {
      guard let bytes = tigetstr(capability), Int(bitPattern: bytes) != -1 else { continue }
      resetSequence += Array(String(cString: bytes).utf8)
    }
  }

  /// Whether `TERM` names a terminal with cursor addressing (xterm yes, dumb no); nil when
  /// terminfo does not know the name.
  static func canAddressCursor() -> Bool? {
    switch cnc_can_address_cursor() {
    case 1: true
    case 0: false
    default: nil
    }
  }

  /// Takes over the process's terminal.
  static func start(colors: Bool) -> CursesTerminal {
    setlocale(LC_ALL, "")
    // LINES/COLUMNS in the environment would freeze the size; use_env(false) alone falls
    // back to terminfo's 80×24, so the window size comes from the tty (use_tioctl).
    use_env(false)
    use_tioctl(true)
    initscr()
    // Ctrl-Q is a key here, not XON: flow control off, and curses told it is the program's mode.
    var modes = termios()
    if tcgetattr(STDIN_FILENO, &modes) == 0 {
      modes.c_iflag &= ~tcflag_t(IXON)
      tcsetattr(STDIN_FILENO, TCSANOW, &modes)
      def_prog_mode()
    }
    return CursesTerminal(usesColor: colors, screen: nil, files: [])
  }

  /// A terminal of `type` writing to /dev/null: the real adapter without a real terminal.
  static func headless(type: String = "xterm-256color", width: Int32 = 80, height: Int32 = 24)
    -> CursesTerminal?
  {
    setlocale(LC_ALL, "")
    use_env(false)
    guard let output = fopen("/dev/null", "w"), let input = fopen("/dev/null", "r") else {
      return nil
    }
    guard let screen = newterm(type, output, input) else {
      fclose(output)
      fclose(input)
      return nil
    }
    set_term(screen)
    resizeterm(height, width)
    return CursesTerminal(usesColor: true, screen: screen, files: [output, input])
  }

  /// Ends curses; a second call does nothing (the message after it must reach a restored
  /// terminal, and the deferred call still runs).
  func stop() {
    guard !isStopped else { return }
    isStopped = true
    endwin()
    if let screen { delscreen(screen) }
    screen = nil
    for file in files { fclose(file) }
    files = []
  }

  var size: (width: Int, height: Int) { (Int(cnc_cols()), Int(cnc_lines())) }

  /// True once the terminal has gone away (the window closed, ssh dropped).
  private(set) var isGone = false

  /// How many cells the latest `draw` wrote (for tests and measurements).
  private(set) var cellsWritten = 0

  func draw(_ canvas: Canvas) {
    let window = cnc_stdscr()
    var last = previous
    if last?.width != canvas.width || last?.height != canvas.height {
      werase(window)
      last = nil
    }
    cellsWritten = 0
    for y in 0..<canvas.height {
      var first: Int?
      var end = 0
      for x in 0..<canvas.width where last?[x, y] != canvas[x, y] {
        if first == nil { first = x }
        end = x + 1
      }
      guard var x = first else { continue }
      if canvas[x, y].width == 0, x > 0 { x -= 1 }
      if end < canvas.width, canvas[end, y].width == 0 { end += 1 }
      while x < end {
        let style = canvas[x, y].style
        var text = ""
        var column = x
        while column < end, canvas[column, y].style == style {
          text += canvas[column, y].text
          column += 1
        }
        let (attributes, pair) = attributes(for: style)
        cnc_set_attributes(window, attributes, pair)
        cnc_put(window, Int32(y), Int32(x), text)
        cellsWritten += column - x
        x = column
      }
    }
    cnc_set_attributes(window, cnc_a_normal(), 0)
    let visible: Int32 = canvas.cursor == nil ? 0 : 1
    if visible != cursorVisible {
      curs_set(visible)
      cursorVisible = visible
    }
    if let cursor = canvas.cursor { cnc_move(window, Int32(cursor.y), Int32(cursor.x)) }
    wrefresh(window)
    previous = canvas
  }

  private func attributes(for style: Style) -> (attr_t, Int16) {
    var attributes = cnc_a_normal()
    if style.contains(.bold) { attributes |= cnc_a_bold() }
    if style.contains(.reverse) { attributes |= cnc_a_reverse() }
    if style.contains(.dim) { attributes |= cnc_a_dim() }
    if style.contains(.underline) { attributes |= cnc_a_underline() }
    guard usesColor else { return (attributes, 0) }
    if style.contains(.error) { return (attributes, 1) }
    if style.contains(.success) { return (attributes, 2) }
    if style.contains(.accent) { return (attributes, 3) }
    return (attributes, 0)
  }

  /// The next key, or nil when none came within `milliseconds`.
  func readKey(waiting milliseconds: Int32) -> Key? {
    let window = cnc_stdscr()
    if screen == nil {
      var rows: Int32 = 0
      var columns: Int32 = 0
      let sized = cnc_tty_size(STDOUT_FILENO, &rows, &columns)
      guard sized >= 0 else {
        // The tty hung up without a SIGHUP reaching us (its session leader went first):
        // reads would return at once forever.
        isGone = true
        return nil
      }
      // A terminal that reports no size (0x0) is still there: keep the size ncurses has.
      if sized == 0, rows != cnc_lines() || columns != cnc_cols() {
        resizeterm(rows, columns)
        return .resize
      }
    }
    wtimeout(window, milliseconds)
    var character: wint_t = 0
    let status = wget_wch(window, &character)
    if status == cnc_err() { return nil }
    if status == cnc_key_code_yes() { return Self.key(code: Int32(bitPattern: character)) }
    if character == 27 {
      // curses gives a lone ESC for a sequence it does not know; the rest is already
      // waiting. Such a sequence is skipped whole, never read as Esc plus typed text.
      var rest: [UInt32] = []
      wtimeout(window, 0)
      while rest.count < 32, wget_wch(window, &character) != cnc_err() {
        rest.append(UInt32(character))
        if Self.endsEscapeSequence(rest) { break }
      }
      return rest.isEmpty ? .escape : nil
    }
    return Self.key(character: UInt32(character))
  }

  /// Whether the bytes after ESC form a whole sequence: CSI (`[` parameters, then a final
  /// byte from `@` to `~`), SS3 (`O` and one byte), or ESC and one byte (Alt-key).
  static func endsEscapeSequence(_ rest: [UInt32]) -> Bool {
    guard let first = rest.first else { return false }
    switch first {
    case 0x5B:  // [
      guard rest.count > 1, let last = rest.last else { return false }
      return (0x40...0x7E).contains(last)
    case 0x4F:  // O
      return rest.count == 2
    default:
      return true
    }
  }

  /// Forgets what the screen holds, so the next `draw` writes every cell (Ctrl-L).
  func redrawAll() {
    clearok(cnc_stdscr(), true)
    previous = nil
  }

  static func key(code: Int32) -> Key? {
    switch code {
    case KEY_UP: return .up
    case KEY_DOWN: return .down
    case KEY_LEFT: return .left
    case KEY_RIGHT: return .right
    case KEY_HOME: return .home
    case KEY_END: return .end
    case KEY_PPAGE: return .pageUp
    case KEY_NPAGE: return .pageDown
    case KEY_BACKSPACE: return .backspace
    case KEY_DC: return .delete
    case KEY_ENTER: return .enter
    case KEY_BTAB: return .backTab
    case KEY_RESIZE: return .resize
    default:
      return (1...12).first { cnc_key_f(Int32($0)) == code }.map { .function($0) }
    }
  }

  static func key(character: UInt32) -> Key? {
    switch character {
    case 9: return .tab
    case 10, 13: return .enter
    case 27: return .escape
    case 8, 127: return .backspace
    case 1...26: return .control(Character(Unicode.Scalar(UInt8(character + 96))))
    default:
      return Unicode.Scalar(character).map { .character(Character($0)) }
    }
  }
}
