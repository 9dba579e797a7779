import CQRencode

/// A QR code drawn in a terminal with Unicode half blocks (`▀ ▄ █` and space): two rows of
/// modules per line of text, so the code stays square in cells about twice as tall as wide.
///
/// Light modules (and the quiet zone around the code) are drawn as ink, dark modules as
/// blank, as `qrencode -t UTF8` does: a terminal draws light text on a dark background, so
/// the code comes out dark on light, the way scanners expect it.
public enum QRText {
  /// Light modules kept clear around the code on every side. The standard asks for four;
  /// two are read by phone cameras and save four lines of a small screen.
  public static let quietZone = 2

  /// The code for `text` (UTF-8, 8-bit mode, error correction M, the smallest version that
  /// holds it), one string per line of text, each as wide as the code plus its quiet zone.
  ///
  /// - Returns: nil for empty text or text too long for any version (2,331 bytes at M).
  public static func halfBlocks(_ text: String) -> [String]? {
    guard let modules = modules(for: text) else { return nil }
    let size = modules.count + 2 * quietZone
    func light(_ row: Int, _ column: Int) -> Bool {
      let row = row - quietZone
      let column = column - quietZone
      guard modules.indices.contains(row), modules.indices.contains(column) else { return true }
      return !modules[row][column]
    }
    return stride(from: 0, to: size, by: 2).map { top in
      String(
        (0..<size).map { column -> Character in
          // Past the last row of an odd-sized code, nothing is drawn.
          let upper = light(top, column)
          let lower = top + 1 < size && light(top + 1, column)
          switch (upper, lower) {
          case (true, true): return "█"
          case (true, false): return "▀"
          case (false, true): return "▄"
          case (false, false): return " "
          }
        })
    }
  }

  /// The cells `halfBlocks(text)` takes: width in columns, height in lines; nil when it
  /// gives nil.
  public static func size(for text: String) -> (width: Int, height: Int)? {
    guard let modules = modules(for: text) else { return nil }
    let size = modules.count + 2 * quietZone
    return (size, (size + 1) / 2)
  }

  /// The code's modules, row by row, true for dark; nil when libqrencode cannot encode it.
  static func modules(for text: String) -> [[Bool]]? {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { return nil }
    guard let code = QRcode_encodeData(Int32(bytes.count), bytes, 0, QR_ECLEVEL_M) else {
      return nil
    }
    defer { QRcode_free(code) }
    let width = Int(code.pointee.width)
    guard let data = code.pointee.data else { return nil }
    // Bit 0 of each byte is the module's colour; the other bits say what it is part of.
    return (0..<width).map { row in
      (0..<width).map { column in data[row * width + column] & 1 == 1 }
    }
  }
}
