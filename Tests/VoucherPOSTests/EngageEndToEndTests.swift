import EngageClient
import Foundation
import TestSupport
import Testing

@testable import voucher_pos

@Suite("end to end against the Engage dialect")
struct EngageEndToEndTests {
  @Test("--api engage: parsed, a redeem timeout of at least 60 s, the key from a file")
  func flags() async throws {
    try await blocking {
      guard case .run(let options) = try Options.parse(["--api", "engage", "--endpoint", "x"])
      else {
        Issue.record("not a run")
        return
      }
      #expect(options.api == .engage)
      #expect(throws: UsageError.self) { try Options.parse(["--api", "vouchers"]) }
      #expect(throws: UsageError.self) {
        try Options.parse(["--api", "engage", "--redeem-timeout", "30"])
      }
      let file = FileManager.default.temporaryDirectory.appendingPathComponent(
        "engage-key-\(UUID().uuidString)")
      try Data("secret\n".utf8).write(to: file)
      defer { try? FileManager.default.removeItem(at: file) }
      let plain = try EngageClientConfiguration.resolve(
        endpoint: "https://client.voyado.com", appId: nil, tokenFile: file.path, environment: [:])
      #expect(plain.apikey == "secret")
      let ours = try EngageClientConfiguration.resolve(
        endpoint: "http://127.0.0.1:8080", appId: "app_1", tokenFile: file.path, environment: [:])
      #expect(ours.apikey == "app_1:secret")
      #expect(throws: EngageClientConfiguration.Problem.self) {
        try EngageClientConfiguration.resolve(
          endpoint: "http://127.0.0.1:8080", appId: nil, tokenFile: nil, environment: [:])
      }
    }
  }

  @Test("a till on --api engage sells by member number, and support reactivates by phone")
  func saleAndReactivation() async throws {
    try await blocking {
      let server = try LiveEngineServer()
      let tmux = TmuxSession()
      defer { tmux.stop() }
      let journal = server.folder.appendingPathComponent("journal.jsonl").path
      try tmux.startPOS(
        "--api engage --endpoint \(server.url) --app-id \(server.appId) --token-file \(server.tokenFile) --role support --terminal T05 --journal \(journal)"
      )
      let find = try tmux.waitFor("● online")
      #expect(find.contains("(Engage)"))
      #expect(find.contains("email, phone, member"), "\(find)")

      // A whole sale: Åsa by her member number, her reward voucher off one line.
      try tmux.type("M-100124")
      try tmux.waitFor("asa.oberg@example.se")
      try tmux.send("Enter")
      try tmux.waitFor("BONUS-19500-0124")
      try tmux.send("Enter")
      try tmux.waitFor("Add line")
      try tmux.type("prod_1 1 259.00")
      try tmux.send("Enter")
      try tmux.waitFor("259.00 SEK")
      try tmux.send("F5")
      let valid = try tmux.waitFor("Valid. F9 redeems.")
      #expect(valid.contains("Checked on this till"), "\(valid)")
      try tmux.send("F9")
      try tmux.waitFor("Press Enter to redeem")
      try tmux.send("Enter")
      let receipt = try tmux.waitFor("Enter starts a new sale.")
      #expect(receipt.contains("Redeemed"))
      let toPay = receipt.split(separator: "\n").first { $0.contains("Amount to pay") } ?? ""
      #expect(toPay.hasSuffix(" 64.00 SEK"), "\(receipt)")
      #expect(try server.redeemedQuantity("BONUS-19500-0124") == 1)

      // Support: Alice by phone, her redeemed reward voucher given back.
      try tmux.send("Enter")
      try tmux.waitFor("Find contact")
      try tmux.type("+46701234567")
      try tmux.waitFor("alice@example.com")
      try tmux.send("Enter")
      try tmux.waitFor("Redeemed (1)")
      try tmux.send("Tab")
      try tmux.waitFor("BONUS-19500-0123")
      try tmux.send("F6")
      try tmux.waitFor("Reactivate BONUS-19500-0123")
      try tmux.type("goods returned")
      try tmux.send("Enter")
      let done = try tmux.waitFor("Reactivated")
      #expect(done.contains("2 reactivations left"), "\(done)")
      try tmux.send("Escape")
      try tmux.waitFor("Available (1)")
      #expect(try server.redeemedQuantity("BONUS-19500-0123") == 0)
    }
  }
}

extension LiveEngineServer {
  /// The voucher's uses so far, read from the database by `voucher-engine voucher show`.
  func redeemedQuantity(_ code: String) throws -> Int {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: try TmuxSession.binary("voucher-engine"))
    child.arguments = ["voucher", "show", code, "--json", "--db", database]
    let output = Pipe()
    child.standardOutput = output
    child.standardError = FileHandle.nullDevice
    try child.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    child.waitUntilExit()
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let redemption = try #require(object["redemption"] as? [String: Any])
    return try #require(redemption["redeemed_quantity"] as? Int)
  }
}
