import Foundation
import TestSupport
import Testing

/// A store's day at one till, in a real terminal: three sales with a receipt file each, the
/// last voided by the cashier inside the void window (a VOID copy of its receipt), and a
/// void refused once the window has passed.
@Suite("a store's day under tmux")
struct StoreDayTests {
  /// A store database at `path` with the demo's customers and vouchers.
  private func seedDemo(_ path: String) throws {
    let seed = Process()
    seed.executableURL = URL(fileURLWithPath: try TmuxSession.binary("voucher-engine"))
    seed.arguments = ["seed", "--demo", "--db", path]
    seed.standardOutput = FileHandle.nullDevice
    try seed.run()
    seed.waitUntilExit()
    #expect(seed.terminationStatus == 0, "voucher-engine seed --demo --db \(path)")
  }

  @Test("three sales, a void inside the window, one refused outside it, receipt files")
  func wholeDay() async throws {
    try await blocking {
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "voucher-pos-day-\(UUID().uuidString.prefix(8))")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: folder) }
      let database = folder.appendingPathComponent("store.sqlite").path
      let receipts = folder.appendingPathComponent("receipts").path
      try seedDemo(database)
      let common =
        "--db \(database) --receipts \(receipts) --journal \(folder.path)/journal.jsonl --terminal T05"

      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS(common)
      try tmux.waitFor("Find contact")
      for line in ["prod_1 1 100", "prod_2 1 50", "coffee 2 35"] {
        try tmux.send("F3")
        try tmux.type("WELCOME10")
        try tmux.send("Enter")
        try tmux.waitFor("Add line")
        try tmux.type(line)
        try tmux.send("Enter", "F5")
        try tmux.waitFor("Valid. F9 redeems.")
        try tmux.send("F9")
        try tmux.waitFor("Press Enter to redeem")
        try tmux.send("Enter")
        try tmux.waitFor("Receipt saved: \(receipts)")
        try tmux.send("Enter")
        try tmux.waitFor("Find contact")
      }
      try tmux.send("F7")
      try tmux.waitFor("3 sales")
      try tmux.send("Enter")
      try tmux.waitFor("Void reason")
      try tmux.type("Customer changed their mind")
      try tmux.send("Enter")
      try tmux.waitFor("VOID receipt saved.")
      try tmux.waitFor("2 sales, 1 voided")
      try tmux.send("F10")

      let files = try FileManager.default.contentsOfDirectory(atPath: receipts).sorted()
      #expect(files.count == 4, "\(files)")
      #expect(files.filter { $0.hasSuffix(".VOID.txt") }.count == 1)
      let void = try String(
        contentsOfFile: "\(receipts)/\(try #require(files.first { $0.hasSuffix(".VOID.txt") }))",
        encoding: .utf8)
      #expect(void.contains("VOID"))
      #expect(void.contains("Customer changed their mind"))

      // Later (a void window of 0 minutes: every sale is past it), the cashier is refused.
      let later = TmuxSession()
      defer { later.stop() }
      try later.startPOS(common + " --void-window 0")
      try later.waitFor("Find contact")
      try later.send("F7")
      try later.waitFor("2 sales, 1 voided")
      try later.send("Down", "Enter")
      try later.waitFor("A cashier may void a sale only within 0 minutes of it; ask support.")
    }
  }

  @Test("--role support in a demo asks the support PIN before a reactivation, then goes on")
  func supportPIN() async throws {
    try await blocking {
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS("--demo --role support --cashier Kim")
      try tmux.waitFor("Kim (support, no PIN)")
      try tmux.type("alice")
      try tmux.waitFor("Alice Example")
      try tmux.send("Enter")
      try tmux.waitFor("ALICE-10OFF-2026")
      try tmux.send("Tab")
      try tmux.waitFor("BONUS-19500-0123")
      try tmux.send("F6")
      let prompt = try tmux.waitFor("Support PIN needed to reactivate a voucher")
      #expect(prompt.contains("Demo: name Sam Support, PIN 2468"))
      try tmux.type("Sam Support")
      try tmux.send("Tab")
      try tmux.type("9999")
      try tmux.send("Enter")
      try tmux.waitFor("Wrong name or PIN")
      try tmux.type("2468")
      try tmux.send("Enter")
      let support = try tmux.waitFor("Reactivate BONUS-19500-0123")
      #expect(support.contains("Sam Support (support)"))
    }
  }

  @Test("a second till started on the same journal is refused with one clear line, exit 1")
  func oneTillPerJournal() async throws {
    try await blocking {
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "voucher-pos-twice-\(UUID().uuidString.prefix(8))")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: folder) }
      let database = folder.appendingPathComponent("store.sqlite").path
      try seedDemo(database)
      // Two tills of one terminal id by one user share the default journal; the second
      // would compact away what the first has not resolved. The second's shell stays (on
      // `cat`) once the till has exited, so that its words stay on the screen: a pane that
      // ends at once can be gone before tmux keeps it.
      let first = TmuxSession()
      defer { first.stop() }
      let second = TmuxSession()
      defer { second.stop() }
      try first.start(
        "\(first.environment) XDG_STATE_HOME=\(folder.path) \(try TmuxSession.executable) --db \(database) --terminal T09"
      )
      try first.waitFor("Find contact")
      try second.start(
        "\(second.environment) XDG_STATE_HOME=\(folder.path) sh -c '\(try TmuxSession.executable) --db \(database) --terminal T09; echo exit=$?; exec cat'"
      )
      let refused = try second.waitFor("exit=")
      #expect(refused.contains("another till is running with the journal"))
      #expect(refused.contains("exit=1"))
      // The first till is untouched and still sells.
      try first.send("F3")
      try first.type("WELCOME10")
      try first.send("Enter")
      try first.waitFor("Add line")
    }
  }
}
