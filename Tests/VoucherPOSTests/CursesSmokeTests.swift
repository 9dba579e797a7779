import CashierUI
import Foundation
import TestSupport
import Testing

@testable import voucher_pos

@Suite("curses adapter", .serialized)
struct CursesSmokeTests {
  @Test("the real adapter draws a frame headless, flushes only changes, and times out reading")
  func headlessFrame() async throws {
    try await blocking {
      let terminal = try #require(CursesTerminal.headless(width: 80, height: 24))
      defer { terminal.stop() }
      #expect(terminal.size.width == 80 && terminal.size.height == 24)
      let session = Session(backend: "/data/engine.sqlite", saleTag: "smoke001")
      var state = AppState(session: session, now: Date())
      var canvas = Canvas(width: 80, height: 24)
      render(state, into: &canvas)
      terminal.draw(canvas)
      #expect(terminal.cellsWritten > 0)
      terminal.draw(canvas)
      #expect(terminal.cellsWritten == 0)
      _ = reduce(&state, .queryEdited("山田 Åsa é"))
      var next = Canvas(width: 80, height: 24)
      render(state, into: &next)
      terminal.draw(next)
      #expect(terminal.cellsWritten > 0 && terminal.cellsWritten < 80 * 24 / 2)
      // resizeterm queued a KEY_RESIZE; after it, nothing comes and the read times out.
      let first = terminal.readKey(waiting: 10)
      #expect(first == nil || first == .resize)
      #expect(terminal.readKey(waiting: 10) == nil)
    }
  }

  @Test("keys decode from curses codes and characters")
  func keys() {
    #expect(CursesTerminal.key(character: 17) == .control("q"))
    #expect(CursesTerminal.key(character: 13) == .enter)
    #expect(CursesTerminal.key(character: 27) == .escape)
    #expect(CursesTerminal.key(character: 0x5C71) == .character("山"))
  }

  @Test("flags parse; bad ones are usage errors")
  func flags() async throws {
    try await blocking {
      let parsed = try Options.parse([
        "--demo", "--role", "support", "--terminal=T9", "--cashier", "Kim", "--redeem-timeout", "5",
      ])
      guard case .run(let options) = parsed else {
        Issue.record("not a run")
        return
      }
      #expect(options.demo && options.role == .support && options.terminal == "T9")
      #expect(options.cashier == "Kim" && options.redeemTimeout == 5)
      #expect(try Options.parse(["--help"]) == .help)
      #expect(throws: UsageError.self) { try Options.parse(["--role", "boss"]) }
      #expect(throws: UsageError.self) { try Options.parse(["--demo", "--db", "x"]) }
      #expect(throws: UsageError.self) { try Options.parse(["--db"]) }
    }
  }
}
