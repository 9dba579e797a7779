import Foundation

/// Progress on stderr: a redrawn bar with rows/s and ETA on a terminal, a plain line every
/// few seconds otherwise (logs, CI).
final class Progress {
  private let total: Int?
  private let label: String
  private let started = Date()
  private var lastDraw = Date.distantPast
  private let isTerminal = isatty(STDERR_FILENO) == 1

  init(label: String, total: Int?) {
    self.label = label
    self.total = total
  }

  func update(done: Int, force: Bool = false) {
    let now = Date()
    let interval: TimeInterval = isTerminal ? 0.2 : 5
    guard force || now.timeIntervalSince(lastDraw) >= interval else { return }
    lastDraw = now
    let elapsed = max(now.timeIntervalSince(started), 0.001)
    let rate = Double(done) / elapsed
    var text = "\(label): \(done)"
    if let total, total > 0 {
      let fraction = min(1, Double(done) / Double(total))
      let eta = rate > 0 ? Double(total - done) / rate : 0
      if isTerminal {
        let width = 24
        let filled = Int(fraction * Double(width))
        text =
          "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))]"
          + " \(done)/\(total)"
      } else {
        text += "/\(total)"
      }
      text += String(format: " %3.0f%%  %.0f rows/s  ETA %.0f s", fraction * 100, rate, eta)
    } else {
      text += String(format: " rows  %.0f rows/s", rate)
    }
    FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[K" + text : text + "\n").utf8))
  }

  func finish(done: Int) {
    update(done: done, force: true)
    if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}
