import Testing

@testable import QRText

/// The modules a rendering shows, true for dark, read back from its half blocks (the
/// quiet zone included): what a scanner would see.
private func modules(of lines: [String], size: Int) -> [[Bool]] {
  var rows: [[Bool]] = []
  for line in lines {
    let cells = Array(line)
    rows.append(cells.map { $0 == " " || $0 == "▄" })
    rows.append(cells.map { $0 == " " || $0 == "▀" })
  }
  return Array(rows.prefix(size))
}

/// The 7×7 finder pattern with its top-left module at (row, column): a dark ring, a light
/// ring, a dark 3×3 centre, and a light separator around it where it lies inside the code.
private func hasFinder(_ grid: [[Bool]], row: Int, column: Int) -> Bool {
  for r in -1...7 {
    for c in -1...7 {
      let y = row + r
      let x = column + c
      guard grid.indices.contains(y), grid[y].indices.contains(x) else { continue }
      let ring = max(abs(r - 3), abs(c - 3))
      let dark = ring == 3 || ring <= 1
      if grid[y][x] != (ring <= 3 && dark) { return false }
    }
  }
  return true
}

@Suite("QR codes in half blocks")
struct QRTextTests {
  @Test("a voucher code renders as this literal (version 1, a quiet zone of 2)")
  func literal() throws {
    let lines = try #require(QRText.halfBlocks("SUMMER-10"))
    #expect(
      lines == [
        "█████████████████████████",
        "██ ▄▄▄▄▄ █▀ ▄███ ▄▄▄▄▄ ██",
        "██ █   █ ███  ▀█ █   █ ██",
        "██ █▄▄▄█ █▄▀▀█ █ █▄▄▄█ ██",
        "██▄▄▄▄▄▄▄█▄▀ ▀ █▄▄▄▄▄▄▄██",
        "██▄█ █▄▀▄█▀█ ▄█▀██ ██▄███",
        "██▄▄██▄ ▄▀▀▄▄█▄ ▄█▄▄▄▄ ██",
        "██▄▄█▄█▄▄█▀  ▀▄ █ ▀█ █▄██",
        "██ ▄▄▄▄▄ ██▄█ ▀▀▄▀ ▄▄▄▄██",
        "██ █   █ █▄▀▄▄██ █▄█ ▀███",
        "██ █▄▄▄█ █▄▄▄█▄█▀▄▄▄▄▀▄██",
        "██▄▄▄▄▄▄▄█▄███▄█▄▄▄█▄▄▄██",
        "▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀▀",
      ])
  }

  @Test(
    "finder patterns at three corners, the timing patterns between them, a light quiet zone",
    arguments: ["SUMMER-10", "GIFT-7Q2K-99XM", String(repeating: "Å", count: 40), "山田太郎"])
  func structure(text: String) throws {
    let lines = try #require(QRText.halfBlocks(text))
    let size = try #require(QRText.size(for: text))
    #expect(lines.count == size.height)
    #expect(lines.allSatisfy { $0.count == size.width && $0.unicodeScalars.count == size.width })
    #expect(lines.allSatisfy { $0.allSatisfy { " ▀▄█".contains($0) } })
    let grid = modules(of: lines, size: size.width)
    let zone = QRText.quietZone
    let width = size.width - 2 * zone
    #expect((width - 17) % 4 == 0, "a QR code is 17 + 4 × version modules wide")
    for y in 0..<size.width {
      for x in 0..<size.width where y < zone || x < zone || y >= zone + width || x >= zone + width {
        #expect(!grid[y][x], "quiet zone module (\(y), \(x)) is dark")
      }
    }
    #expect(hasFinder(grid, row: zone, column: zone))
    #expect(hasFinder(grid, row: zone, column: zone + width - 7))
    #expect(hasFinder(grid, row: zone + width - 7, column: zone))
    #expect(!hasFinder(grid, row: zone + width - 7, column: zone + width - 7))
    for index in 8..<(width - 8) {
      #expect(grid[zone + 6][zone + index] == (index % 2 == 0))
      #expect(grid[zone + index][zone + 6] == (index % 2 == 0))
    }
  }

  @Test(
    "the version is the smallest that holds the text at level M in 8-bit mode",
    arguments: [
      (1, 21), (14, 21), (15, 25), (26, 25), (27, 29), (42, 29), (43, 33), (2_331, 177),
    ])
  func version(bytes: Int, modules: Int) throws {
    let text = String(repeating: "a", count: bytes)
    let size = try #require(QRText.size(for: text))
    #expect(size.width == modules + 2 * QRText.quietZone)
    #expect(size.height == (modules + 2 * QRText.quietZone + 1) / 2)
    #expect(QRText.halfBlocks(text)?.count == size.height)
  }

  @Test("empty text and text too long for any version give nil")
  func refused() {
    #expect(QRText.halfBlocks("") == nil)
    #expect(QRText.size(for: "") == nil)
    let tooLong = String(repeating: "a", count: 2_332)
    #expect(QRText.halfBlocks(tooLong) == nil)
    #expect(QRText.size(for: tooLong) == nil)
  }
}
