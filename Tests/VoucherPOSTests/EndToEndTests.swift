import Foundation
import TestSupport
import Testing

/// The built program in a real terminal (tmux), the way a cashier uses it.
@Suite("end to end under tmux", .serialized)
struct EndToEndTests {
  @Test("find Alice, validate her 10 % voucher on a cart, redeem, get the receipt")
  func wholeSale() async throws {
    try await blocking {
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS()
      try tmux.waitFor("Find contact")
      try sellAliceTenPercent(tmux)
    }
  }

  @Test("a rejected code shows its reason in words")
  func rejectedCode() async throws {
    try await blocking {
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS()
      try tmux.waitFor("Find contact")
      try tmux.send("C-e")
      try tmux.type("JOSE-DISABLED-15")
      try tmux.send("Enter")
      // Bound to José: the till says whose it is and attaches him on Enter.
      try tmux.waitFor("JOSE-DISABLED-15 belongs to José Ñúñez.")
      try tmux.send("Enter")
      try tmux.waitFor("Add line")
      try tmux.waitFor("José Ñúñez · customer-126")
      try tmux.type("prod_1 1 100")
      try tmux.send("Enter")
      try tmux.waitFor("100.00             100.00")
      try tmux.send("C-v")
      try tmux.waitFor("This voucher has been switched off.")
      try tmux.send("F3")
      try tmux.type("NO-SUCH-CODE")
      try tmux.send("Enter")
      try tmux.waitFor("No voucher with the code NO-SUCH-CODE.")
      try tmux.send("F5")
      try tmux.waitFor("Not valid: JOSE-DISABLED-15")
    }
  }

  @Test("shrinking below 80×24 asks for more room; growing back keeps working")
  func resize() async throws {
    try await blocking {
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS()
      try tmux.waitFor("Find contact")
      try tmux.resize(width: 60, height: 20)
      try tmux.waitFor("Please enlarge the terminal to at least 80×24")
      try tmux.resize(width: 80, height: 24)
      try tmux.waitFor("Find contact")
      try tmux.type("lind")
      try tmux.waitFor("Karin Lindqvist")
    }
  }

  @Test(
    "SIGTERM, SIGHUP and a crash signal (SIGSEGV, SIGABRT) leave the terminal in cooked mode",
    arguments: ["TERM", "HUP", "SEGV", "ABRT"])
  func signalRestoresTerminal(signal: String) async throws {
    try await blocking {
      let tmux = TmuxSession()
      defer { tmux.stop() }
      let pidFile = FileManager.default.temporaryDirectory
        .appendingPathComponent("voucher-pos-\(UUID().uuidString.prefix(8)).pid").path
      defer { try? FileManager.default.removeItem(atPath: pidFile) }
      try tmux.start("\(tmux.environment) PS1='$ ' sh")
      try tmux.waitFor("$")
      // exec keeps the pid the shell wrote down: the signal goes to voucher-pos itself.
      try tmux.type("sh -c 'echo $$ > \(pidFile); exec \(try TmuxSession.executable) --demo'")
      try tmux.send("Enter")
      try tmux.waitFor("Find contact")
      let pid = try #require(
        Int32(
          try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)))
      let numbers = ["TERM": SIGTERM, "HUP": SIGHUP, "SEGV": SIGSEGV, "ABRT": SIGABRT]
      // Only ever the till: a crash signal sent to a number that is not (yet, or no longer)
      // voucher-pos would hit whatever has it, this test process included.
      let command = try String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)
      try #require(pid > 1 && pid != getpid() && command.hasPrefix("voucher-pos"), "\(command)")
      kill(pid, try #require(numbers[signal]))
      try tmux.waitForPrompt()
      try expectCookedMode(tmux)
    }
  }

  @Test("a demo removes the folders killed demos left behind, never a running demo's")
  func abandonedDemoFoldersRemoved() async throws {
    try await blocking {
      let base = FileManager.default.temporaryDirectory.appendingPathComponent(
        "vpos-tmp-\(UUID().uuidString.prefix(8))")
      defer { try? FileManager.default.removeItem(at: base) }
      let files = FileManager.default
      func folder(_ name: String, lock: Bool, receipt: Bool, age: TimeInterval) throws -> String {
        let path = base.appendingPathComponent(name).path
        try files.createDirectory(atPath: path, withIntermediateDirectories: true)
        if lock { #expect(files.createFile(atPath: path + "/demo.lock", contents: nil)) }
        if receipt {
          try files.createDirectory(atPath: path + "/receipts", withIntermediateDirectories: true)
          try "receipt".write(toFile: path + "/receipts/r.txt", atomically: false, encoding: .utf8)
        }
        try files.setAttributes([.modificationDate: Date() - age], ofItemAtPath: path)
        return path
      }
      // Killed after a sale: its lock is free, its receipts are in it.
      let killed = try folder("voucher-pos-demo-dead01", lock: true, receipt: true, age: 120)
      // Running: its lock is held (here, by this test).
      let running = try folder("voucher-pos-demo-live01", lock: true, receipt: true, age: 120)
      let held = open(running + "/demo.lock", O_RDWR)
      defer { close(held) }
      #expect(flock(held, LOCK_EX | LOCK_NB) == 0)
      // Just made by a demo that has not locked it yet.
      let starting = try folder("voucher-pos-demo-new001", lock: false, receipt: false, age: 0)
      let unrelated = try folder("someone-else", lock: false, receipt: true, age: 120)

      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.start("\(tmux.environment) TMPDIR=\(base.path) \(try TmuxSession.executable) --demo")
      try tmux.waitFor("Find contact")
      let deadline = Date() + 10
      while files.fileExists(atPath: killed), Date() < deadline { usleep(20_000) }
      #expect(!files.fileExists(atPath: killed))
      #expect(files.fileExists(atPath: running + "/receipts/r.txt"))
      #expect(files.fileExists(atPath: starting))
      #expect(files.fileExists(atPath: unrelated + "/receipts/r.txt"))
      // The running demo's own folder is there, locked.
      let own = try files.contentsOfDirectory(atPath: base.path).filter {
        $0.hasPrefix("voucher-pos-demo-")
          && ![killed, running, starting].contains(base.path + "/" + $0)
      }
      #expect(own.count == 1)
    }
  }

  @Test("Ctrl-C leaves the terminal in cooked mode")
  func interruptRestoresTerminal() async throws {
    try await blocking {
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.start("\(tmux.environment) PS1='$ ' sh")
      try tmux.waitFor("$")
      try tmux.type("\(try TmuxSession.executable) --demo")
      try tmux.send("Enter")
      try tmux.waitFor("Find contact")
      try tmux.send("C-c")
      try tmux.waitForPrompt()
      try expectCookedMode(tmux)
    }
  }
}

/// The README's sale, by keyboard alone: find Alice, open ALICE-10OFF-2026, cart
/// `prod_1 1 259.00`, validate (25.90 off, 233.10 to pay), redeem, receipt.
func sellAliceTenPercent(
  _ tmux: TmuxSession, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  try tmux.type("alice")
  try tmux.waitFor("alice@example.com", sourceLocation: sourceLocation)
  try tmux.send("Enter")
  try tmux.waitFor("ALICE-10OFF-2026", sourceLocation: sourceLocation)
  try tmux.send("Enter")
  try tmux.waitFor("Add line", sourceLocation: sourceLocation)
  try tmux.type("prod_1 1 259.00")
  try tmux.send("Enter")
  try tmux.waitFor("259.00             259.00", sourceLocation: sourceLocation)
  try tmux.send("F5")
  let validated = try tmux.waitFor("Valid. F9 redeems.", sourceLocation: sourceLocation)
  #expect(validated.contains("25.90 SEK"), sourceLocation: sourceLocation)
  #expect(validated.contains("233.10 SEK"), sourceLocation: sourceLocation)
  try tmux.send("F9")
  try tmux.waitFor("Press Enter to redeem", sourceLocation: sourceLocation)
  try tmux.send("Enter")
  let receipt = try tmux.waitFor("Enter starts a new sale.", sourceLocation: sourceLocation)
  #expect(receipt.contains("Redeemed"), sourceLocation: sourceLocation)
  #expect(receipt.contains("Redemption r_"), sourceLocation: sourceLocation)
  #expect(
    receipt.replacing(#/ {2,}/#, with: " ").contains("Amount to pay 233.10 SEK"),
    sourceLocation: sourceLocation)
}

/// Asks the shell in the pane for its tty modes: canonical input and echo must be back on.
func expectCookedMode(
  _ tmux: TmuxSession, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  try tmux.type(
    "clear; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo E\"\"ND"
  )
  try tmux.send("Enter")
  let screen = try tmux.waitFor("END\n", sourceLocation: sourceLocation)
  #expect(screen.contains("icanon echo"), sourceLocation: sourceLocation)
  #expect(
    !screen.contains("-icanon") && !screen.contains("-echo "), sourceLocation: sourceLocation)
}
