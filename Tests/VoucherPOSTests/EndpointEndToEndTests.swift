import Foundation
import TestSupport
import Testing

/// A live `voucher-engine serve` on 127.0.0.1 (ephemeral port, fresh demo database, one
/// cashier key), stopped when the value goes away; with `voucherifyOnly`, serving exactly
/// Voucherify's surface (the demo's holders come from the seed, as no Voucherify route sets
/// one).
final class LiveEngineServer {
  let folder: URL
  let url: String
  let appId: String
  let tokenFile: String
  let database: String
  private let process = Process()

  /// - Parameters:
  ///   - voucherifyOnly: serve exactly the Voucherify surface (`--voucherify-only`).
  ///   - serveArguments: further `serve` flags (a dialect's limits).
  init(voucherifyOnly: Bool = false, serveArguments: [String] = []) throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "voucher-pos-e2e-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let engine = try TmuxSession.binary("voucher-engine")
    database = folder.appendingPathComponent("store.sqlite").path
    _ = try Self.run(engine, ["seed", "--demo", "--db", database])
    let keyJSON = try Self.run(
      engine, ["keys", "add", "--role", "cashier", "--name", "till 01", "--json", "--db", database])
    let key = try #require(
      try JSONSerialization.jsonObject(with: Data(keyJSON.utf8)) as? [String: Any])
    appId = try #require(key["app_id"] as? String)
    tokenFile = folder.appendingPathComponent("token").path
    try Data(try #require(key["token"] as? String).utf8).write(
      to: URL(fileURLWithPath: tokenFile))

    process.executableURL = URL(fileURLWithPath: engine)
    process.arguments =
      ["serve", "--listen", "127.0.0.1:0", "--quiet", "--db", database]
      + (voucherifyOnly ? ["--voucherify-only"] : []) + serveArguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    // The first line names the address: read up to it, never longer than 15 s.
    var first = Data()
    let deadline = Date().addingTimeInterval(15)
    while !first.contains(UInt8(ascii: "\n")), Date() < deadline {
      let chunk = output.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      first.append(chunk)
    }
    let line = String(decoding: first, as: UTF8.self)
    guard let range = line.range(of: "listening on ") else {
      throw CocoaError(
        .fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve said: \(line)"])
    }
    url = String(line[range.upperBound...].prefix { !$0.isNewline })
  }

  /// Stops the server (SIGTERM: it finishes what is in flight and exits). A stopped
  /// (SIGSTOP) server is continued first, or it would never see the SIGTERM.
  func stop() {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGCONT)
    process.terminate()
    process.waitUntilExit()
  }

  /// Sends `signal` to the server (SIGSTOP stalls it mid-request, SIGCONT continues it).
  func signal(_ signal: Int32) {
    kill(process.processIdentifier, signal)
  }

  /// The succeeded redemptions the database holds for `order`, read by `voucher-engine`.
  func succeededRedemptions(order: String) throws -> Int {
    let json = try Self.run(
      try TmuxSession.binary("voucher-engine"),
      ["redemptions", "--order", order, "--json", "--db", database])
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let rows = try #require(object["data"] as? [[String: Any]])
    return rows.filter { $0["status"] as? String == "SUCCEEDED" }.count
  }

  deinit {
    stop()
    try? FileManager.default.removeItem(at: folder)
  }

  private static func run(_ executable: String, _ arguments: [String]) throws -> String {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: executable)
    child.arguments = arguments
    let output = Pipe()
    child.standardOutput = output
    child.standardError = FileHandle.nullDevice
    try child.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    child.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }
}

@Suite("end to end against a live server")
struct EndpointEndToEndTests {
  @Test("a till on --endpoint sells through the REST API and says when the server goes away")
  func saleOverREST() async throws {
    try await blocking {
      let server = try LiveEngineServer()
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS(
        "--endpoint \(server.url) --app-id \(server.appId) --token-file \(server.tokenFile) --terminal T02 --role support"
      )
      try tmux.waitFor("● online")
      // The server's word on the key, not the flag.
      try tmux.waitFor("(cashier)")
      try sellAliceTenPercent(tmux)

      server.stop()
      // The status bar checks every 10 s.
      try tmux.waitFor("✕ offline", timeout: 25)
    }
  }

  @Test("a till sells a whole sale through a server of Voucherify's surface only")
  func saleOverVoucherifyOnly() async throws {
    try await blocking {
      let server = try LiveEngineServer(voucherifyOnly: true)
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS(
        "--endpoint \(server.url) --app-id \(server.appId) --token-file \(server.tokenFile) --terminal T03"
      )
      try tmux.waitFor("● online")
      try tmux.waitFor("Type email or customer id (exact).")
      // No name search there: the contact is found by the exact email.
      try tmux.type("alice@example.com")
      try tmux.waitFor("Alice Example")
      try tmux.send("Enter")
      let wallet = try tmux.waitFor("ALICE-10OFF-2026")
      #expect(wallet.contains("ALICE-5X-2026"))
      try tmux.send("Enter")
      try tmux.waitFor("Add line")
      try tmux.type("prod_1 1 259.00")
      try tmux.send("Enter")
      try tmux.waitFor("259.00             259.00")
      try tmux.send("F5")
      let validated = try tmux.waitFor("Valid. F9 redeems.")
      #expect(validated.contains("25.90"))
      #expect(validated.contains("233.10"))
      try tmux.send("F9")
      try tmux.waitFor("Press Enter to redeem")
      try tmux.send("Enter")
      let receipt = try tmux.waitFor("Enter starts a new sale.")
      let text = receipt.replacing(#/ {2,}/#, with: " ")
      #expect(text.contains("Redeemed"))
      #expect(text.contains("Redemption r_"))
      #expect(text.contains("Amount to pay 233.10"))
      #expect(try server.succeededRedemptions(order: try orderId(in: receipt)) == 1)
    }
  }
}

/// The order id a redeem screen's heading names (`Order T03-… · Alice`).
private func orderId(in screen: String) throws -> String {
  let match = try #require(screen.firstMatch(of: #/Order ([A-Za-z0-9._-]+)/#))
  return String(match.1)
}
