import Foundation
import TestSupport
import Testing

/// The till's word after a stalled redeem, in a real terminal against a live server that is
/// stopped (SIGSTOP) past the deadline and continued at different moments: whatever the
/// screen settles on must be what the database holds, and nothing is said while the server
/// is stopped.
@Suite("trusted redeem under tmux", .serialized)
struct TrustedRedeemTests {
  static let redeemed = "Enter starts a new sale."
  static let notRedeemed = "Not redeemed — safe to try again."

  /// A till on `server` with WELCOME10 on a validated cart; returns the sale's order id.
  func validatedSale(_ tmux: TmuxSession, _ server: LiveEngineServer, journal: String) throws
    -> String
  {
    try tmux.startPOS(
      "--endpoint \(server.url) --app-id \(server.appId) --token-file \(server.tokenFile) --terminal T07 --redeem-timeout 2 --journal \(journal)"
    )
    try tmux.waitFor("● online")
    try tmux.send("C-e")
    try tmux.type("WELCOME10")
    try tmux.send("Enter")
    try tmux.waitFor("Add line")
    try tmux.type("prod_1 1 100")
    try tmux.send("Enter", "F5")
    let screen = try tmux.waitFor("Valid. F9 redeems.")
    let order = try #require(screen.firstMatch(of: /Order (T07-[a-z0-9]+-[0-9]{4})/)?.output.1)
    return String(order)
  }

  /// Polls for `seconds` and records it if anything is claimed meanwhile.
  func expectNothingClaimed(_ tmux: TmuxSession, for seconds: Double) throws {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
      let shown = try tmux.screen()
      if shown.contains(Self.redeemed) || shown.contains(Self.notRedeemed) {
        Issue.record("claimed an outcome while the server was stopped:\n\(shown)")
        return
      }
      usleep(50_000)
    }
  }

  @Test(
    "SIGSTOP past the deadline, SIGCONT at varying moments: the screen agrees with the database",
    arguments: [0.2, 1.5, 4.0, 11.0])
  func stalledServer(stoppedAfterDeadline: Double) async throws {
    try await blocking {
      let server = try LiveEngineServer()
      let tmux = TmuxSession()
      defer { tmux.stop() }
      let journal = server.folder.appendingPathComponent("journal.jsonl").path
      let order = try validatedSale(tmux, server, journal: journal)
      try tmux.send("F9")
      try tmux.waitFor("Press Enter to redeem")
      server.signal(SIGSTOP)
      try tmux.send("Enter")
      try tmux.waitFor("Redeeming…")
      // Past the 2 s deadline the till asks the stopped server; it must not guess meanwhile.
      try expectNothingClaimed(tmux, for: 2 + stoppedAfterDeadline)
      server.signal(SIGCONT)
      let word = try tmux.waitForAny([Self.redeemed, Self.notRedeemed], timeout: 45)
      let made = try server.succeededRedemptions(order: order)
      #expect(
        made == (word == Self.redeemed ? 1 : 0),
        "the screen said “\(word)”, the database has \(made)"
      )
      // The stalled redeem has had its turn by now: the database still agrees.
      usleep(500_000)
      #expect(try server.succeededRedemptions(order: order) == made)
      if word == Self.notRedeemed {
        // A retry is a new attempt: it is made exactly once.
        try tmux.send("Enter")
        try tmux.waitFor(Self.redeemed, timeout: 20)
        #expect(try server.succeededRedemptions(order: order) == 1)
      }
    }
  }

  @Test("SIGKILL while the outcome is unknown: the next start resolves the sale from the journal")
  func killedTillResolvesAtNextStart() async throws {
    try await blocking {
      let server = try LiveEngineServer()
      let tmux = TmuxSession()
      defer { tmux.stop() }
      let journal = server.folder.appendingPathComponent("journal.jsonl").path
      let pidFile = server.folder.appendingPathComponent("pos.pid").path
      try tmux.start(
        "echo $$ > \(pidFile); exec \(tmux.environment) \(try TmuxSession.executable) --endpoint \(server.url) --app-id \(server.appId) --token-file \(server.tokenFile) --terminal T07 --redeem-timeout 2 --journal \(journal)"
      )
      try tmux.waitFor("● online")
      try tmux.send("C-e")
      try tmux.type("WELCOME10")
      try tmux.send("Enter")
      try tmux.waitFor("Add line")
      try tmux.type("prod_1 1 100")
      try tmux.send("Enter", "F5")
      let screen = try tmux.waitFor("Valid. F9 redeems.")
      let order = String(
        try #require(screen.firstMatch(of: /Order (T07-[a-z0-9]+-[0-9]{4})/)?.output.1))
      try tmux.send("F9")
      try tmux.waitFor("Press Enter to redeem")
      server.signal(SIGSTOP)
      try tmux.send("Enter")
      try tmux.waitFor("asking whether it was used", timeout: 10)
      let pid = try #require(
        Int32(
          try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)))
      kill(pid, SIGKILL)
      // Dead once gone or a zombie (tmux may reap it later).
      func isDead() -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else {
          return true
        }
        return stat.contains(") Z ")
      }
      let gone = Date().addingTimeInterval(10)
      while !isDead(), Date() < gone { usleep(20_000) }
      #expect(isDead(), "the till survived SIGKILL")
      #expect(try String(contentsOfFile: journal, encoding: .utf8).contains(order))
      server.signal(SIGCONT)

      // The next start, before any sale, asks about the journal's attempt and says how it ended.
      try tmux.tmux(["respawn-pane", "-k", "-t", "main"])
      try tmux.waitFor("Unfinished sales")
      try tmux.waitFor("Order \(order)")
      let word = try tmux.waitForAny(
        ["Redeemed (r_", "Not redeemed: the vouchers were not used."], timeout: 30)
      let made = try server.succeededRedemptions(order: order)
      #expect(
        made == (word == "Redeemed (r_" ? 1 : 0),
        "the screen said “\(word)”, the database has \(made)")
      try tmux.waitFor("Enter goes on to the first sale.")
      try tmux.send("Enter")
      try tmux.waitFor("Find contact")
    }
  }
}
