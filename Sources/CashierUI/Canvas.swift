import VoucherEngine

/// How a cell is drawn. Colour roles fall back to plain text under `NO_COLOR` or on a
/// monochrome terminal, so nothing may depend on colour alone.
public struct Style: OptionSet, Hashable, Sendable {
  public let rawValue: UInt8
  public init(rawValue: UInt8) { self.rawValue = rawValue }

  public static let bold = Style(rawValue: 1 << 0)
  public static let reverse = Style(rawValue: 1 << 1)
  public static let dim = Style(rawValue: 1 << 2)
  public static let underline = Style(rawValue: 1 << 3)
  public static let error = Style(rawValue: 1 << 4)
  public static let success = Style(rawValue: 1 << 5)
  public static let accent = Style(rawValue: 1 << 6)
}

/// One terminal cell: a glyph (with any combining marks) or the right half of a wide one.
public struct Cell: Equatable, Sendable {
  /// The grapheme drawn here; empty in the right half of a wide glyph.
  public var text: String
  public var style: Style
  /// 1, 2 for a wide glyph's left half, 0 for its right half.
  public var width: Int

  public init(text: String, style: Style = [], width: Int = 1) {
    self.text = text
    self.style = style
    self.width = width
  }

  public static let blank = Cell(text: " ")
}

/// A column and row on the canvas.
public struct Position: Equatable, Sendable {
  public var x: Int
  public var y: Int

  public init(x: Int, y: Int) {
    self.x = x
    self.y = y
  }
}

/// A rectangle of the canvas a screen may draw in.
public struct Rect: Equatable, Sendable {
  public var x: Int
  public var y: Int
  public var width: Int
  public var height: Int

  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }

  public var maxY: Int { y + height }
}

/// The frame a screen renders into: a grid of cells the terminal adapter copies out,
/// changed cells only. Tests read it back as text.
public struct Canvas: Equatable, Sendable {
  public let width: Int
  public let height: Int
  public private(set) var cells: [Cell]
  /// Where the terminal's cursor goes (the focused text field), or nil to hide it.
  public var cursor: Position?

  public init(width: Int, height: Int) {
    self.width = max(0, width)
    self.height = max(0, height)
    cells = Array(repeating: .blank, count: self.width * self.height)
  }

  public subscript(x: Int, y: Int) -> Cell { cells[y * width + x] }

  /// Writes `text` from column `x`, clipped at `maxWidth` columns and at the edge. A wide
  /// glyph that does not fit whole is replaced by a space rather than split; combining
  /// marks join the glyph before them. Returns the column after the last one written.
  @discardableResult
  public mutating func put(
    _ text: String, x: Int, y: Int, style: Style = [], maxWidth: Int? = nil
  ) -> Int {
    guard y >= 0, y < height, x >= 0 else { return x }
    let limit = min(width, maxWidth.map { x + max(0, $0) } ?? width)
    var column = x
    for scalar in Self.visible(text).unicodeScalars {
      let columns = DisplayWidth.of(scalar)
      if columns == 0 {
        if column > 0, column <= width { attach(scalar, before: column, y: y) }
        continue
      }
      if column + columns > limit {
        if columns == 2, column < limit { place(Cell(text: " ", style: style), x: column, y: y) }
        break
      }
      place(Cell(text: String(scalar), style: style, width: columns), x: column, y: y)
      column += columns
    }
    return column
  }

  /// `text` with every character that would act on a terminal instead of showing
  /// (C0 and C1 controls, DEL, bidirectional overrides) written out as an escape, `\x1b`:
  /// a name or code holding an escape sequence is shown, never obeyed.
  static func visible(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: isActing) else { return text }
    var shown = ""
    for scalar in text.unicodeScalars {
      guard isActing(scalar) else {
        shown.unicodeScalars.append(scalar)
        continue
      }
      let hex = String(scalar.value, radix: 16)
      shown +=
        scalar.value < 0x100
        ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{" + hex + "}"
    }
    return shown
  }

  private static func isActing(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    return value < 0x20 || (0x7F..<0xA0).contains(value) || (0x202A...0x202E).contains(value)
      || (0x2066...0x2069).contains(value)
  }

  /// Writes `text` so it ends just before column `end`; returns the column it starts at,
  /// which is where text on its left must stop.
  @discardableResult
  public mutating func putRight(_ text: String, end: Int, y: Int, style: Style = []) -> Int {
    let shown = Self.visible(text)
    let start = max(0, end - DisplayWidth.of(shown))
    put(shown, x: start, y: y, style: style)
    return start
  }

  /// Blanks `count` cells of row `y` from `x` with `style` (bars, selections).
  public mutating func fill(y: Int, x: Int = 0, count: Int? = nil, style: Style) {
    guard y >= 0, y < height else { return }
    let end = min(width, x + (count ?? width))
    for column in max(0, x)..<max(max(0, x), end) {
      place(Cell(text: " ", style: style), x: column, y: y)
    }
  }

  /// Each row as the terminal shows it, wide glyphs once.
  public var lines: [String] {
    (0..<height).map { row in
      cells[(row * width)..<((row + 1) * width)].reduce(into: "") { $0 += $1.text }
    }
  }

  /// The rows with trailing spaces dropped, joined by newlines: what tests compare.
  public var text: String {
    lines.map { line in
      var line = line
      while line.last == " " { line.removeLast() }
      return line
    }.joined(separator: "\n")
  }

  private mutating func place(_ cell: Cell, x: Int, y: Int) {
    separate(x: x, y: y)
    if cell.width == 2 { separate(x: x + 1, y: y) }
    cells[y * width + x] = cell
    if cell.width == 2 {
      cells[y * width + x + 1] = Cell(text: "", style: cell.style, width: 0)
    }
  }

  /// Before a cell is overwritten, the other half of a wide glyph it belongs to becomes a
  /// space, so no half glyph is ever left behind.
  private mutating func separate(x: Int, y: Int) {
    guard x >= 0, x < width else { return }
    let index = y * width + x
    if cells[index].width == 0, x > 0 {
      cells[index - 1] = Cell(text: " ", style: cells[index - 1].style)
    } else if cells[index].width == 2, x + 1 < width {
      cells[index + 1] = Cell(text: " ", style: cells[index + 1].style)
    }
  }

  private mutating func attach(_ scalar: Unicode.Scalar, before column: Int, y: Int) {
    var index = y * width + column - 1
    if cells[index].width == 0, column >= 2 { index -= 1 }
    cells[index].text.unicodeScalars.append(scalar)
  }
}
