import Foundation
import TestSupport
import Testing

/// The till's keys in a real terminal: an escape sequence it does not know is skipped, a
/// paste lands whole, and a terminal that cannot address the cursor is refused.
@Suite("terminal keys under tmux")
struct TerminalKeysTests {
  @Test("an unknown escape sequence is ignored, never read as Esc plus typed text")
  func unknownEscapeSequence() async throws {
    try await blocking {
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS()
      try tmux.waitFor("Find contact")
      try tmux.type("lind")
      try tmux.waitFor("Karin Lindqvist")
      // CSI 99 ~ and CSI 1;9Z are keys no terminfo entry names.
      try tmux.tmux(["send-keys", "-t", "main", "-H", "1b", "5b", "39", "39", "7e"])
      try tmux.tmux(["send-keys", "-t", "main", "-H", "1b", "5b", "31", "3b", "39", "5a"])
      try tmux.type("q")
      let screen = try tmux.waitFor("[lindq ")
      #expect(!screen.contains("~"))
      #expect(!screen.contains("[99"))
    }
  }

  @Test("keys typed while the demo's data is still loading are kept, in order")
  func keysBeforeTheDataLoaded() async throws {
    try await blocking {
      let tmux = TmuxSession()
      defer { tmux.stop() }
      // Typed at once, before the first frame: the demo draws while it loads its data.
      try tmux.startPOS()
      try tmux.type("alice")
      let screen = try tmux.waitFor("Alice Example")
      #expect(screen.contains("[alice "))
      #expect(screen.contains("alice@example.com"))
    }
  }

  @Test("a 10 KB paste lands whole in the field, which shows its end")
  func paste() async throws {
    try await blocking {
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS()
      try tmux.waitFor("Find contact")
      try tmux.send("F3")
      let text = String(repeating: "ABCDEFGHIJ", count: 1024) + "-END"
      try tmux.type(text)
      try tmux.waitFor("GHIJABCDEFGHIJ-END", timeout: 30)
      try tmux.send("Enter")
      // Looked up whole: no voucher has that code, and the field is cleared for the next scan.
      try tmux.waitFor("No voucher with the code ABCDEFGHIJ", timeout: 30)
    }
  }

  @Test("TERM=dumb is refused with one clear line and exit status 1")
  func dumbTerminal() async throws {
    try await blocking {
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.start(
        "env TERM=dumb LANG=C.UTF-8 \(try TmuxSession.executable) --demo; echo exit=$?; sleep 30")
      let screen = try tmux.waitFor("exit=1")
      #expect(screen.contains("voucher-pos: this terminal (TERM=dumb) cannot move the cursor"))
    }
  }
}
