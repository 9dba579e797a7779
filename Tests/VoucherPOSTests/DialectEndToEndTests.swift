import Foundation
import TestSupport
import Testing

/// The till on `--api vauchar` and `--api vouchers-v1` against a live `voucher-engine serve`.
/// Each sale runs on a thread of its own (`blocking`): it blocks while it polls tmux.
@Suite("end to end: the till on Vauchar and on the plain voucher API")
struct DialectEndToEndTests {
  @Test("a code-first sale through Vauchar, redeemed once")
  func saleOverVauchar() async throws {
    let sold = try await blocking { () throws -> Sold in
      let server = try LiveEngineServer()
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS(
        "--endpoint \(server.url) --api vauchar --app-id \(server.appId) "
          + "--token-file \(server.tokenFile) --terminal T02")
      try tmux.waitFor("● online")
      return try sellWelcomeTenPercent(tmux, server, customerReference: "shop-42")
    }
    sold.check(customerReference: "shop-42")
  }

  @Test("a code-first sale through the plain API, its limits set by serve's flags")
  func saleOverPlainAPI() async throws {
    let sold = try await blocking { () throws -> Sold in
      let server = try LiveEngineServer(serveArguments: [
        "--plain-rate-limits", "100,50,200,100", "--plain-rate-window", "60",
      ])
      // The plain API's Bearer token is the key's APP_ID:TOKEN.
      let token = try String(contentsOfFile: server.tokenFile, encoding: .utf8)
      let bearer = server.folder.appendingPathComponent("bearer").path
      try Data("\(server.appId):\(token)\n".utf8).write(to: URL(fileURLWithPath: bearer))
      let tmux = TmuxSession()
      defer { tmux.stop() }
      try tmux.startPOS(
        "--endpoint \(server.url)/plain/v1 --api vouchers-v1 --token-file \(bearer) --terminal T03"
      )
      try tmux.waitFor("● online")
      return try sellWelcomeTenPercent(tmux, server, customerReference: "member-7")
    }
    sold.check(customerReference: "member-7")
  }
}

/// What a sale showed, and what the server's database holds for it afterwards.
struct Sold: Sendable {
  var validated: String
  var receipt: String
  var succeeded: Int
  /// The source ids of the contacts found by the reference, and their ids.
  var found: [(sourceId: String?, id: String?)]
  /// The customer ids on the order's redemptions.
  var redemptionCustomers: [String?]

  func check(customerReference: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(validated.contains("25.90 SEK"), sourceLocation: sourceLocation)
    #expect(receipt.contains("Redeemed"), sourceLocation: sourceLocation)
    #expect(
      receipt.replacing(#/ {2,}/#, with: " ").contains("Amount to pay 233.10 SEK"),
      sourceLocation: sourceLocation)
    #expect(succeeded == 1, sourceLocation: sourceLocation)
    // The reference reached serve (Vauchar's user_id, the plain API's customer_id) and is
    // the contact on the redemption.
    #expect(found.map(\.sourceId) == [customerReference], sourceLocation: sourceLocation)
    #expect(redemptionCustomers == found.map(\.id), sourceLocation: sourceLocation)
  }
}

/// Without contact lookup the till opens on the code field; WELCOME10 (10 %, no holder) on
/// one 259.00 line, with a customer reference typed on the cart.
func sellWelcomeTenPercent(
  _ tmux: TmuxSession, _ server: LiveEngineServer, customerReference: String
) throws -> Sold {
  try tmux.type("WELCOME10")
  try tmux.send("Enter")
  try tmux.waitFor("Add line")
  try tmux.type("prod_1 1 259.00")
  try tmux.send("Enter")
  try tmux.waitFor("259.00             259.00")
  // Tab twice: from the line to the code field, then to the customer reference.
  try tmux.send("Tab")
  try tmux.send("Tab")
  try tmux.type(customerReference)
  try tmux.send("Enter")
  try tmux.waitFor(customerReference)
  try tmux.send("F5")
  let validated = try tmux.waitFor("Valid. F9 redeems.")
  try tmux.send("F9")
  try tmux.waitFor("Press Enter to redeem")
  try tmux.send("Enter")
  let receipt = try tmux.waitFor("Enter starts a new sale.")
  let order = orderOn(receipt)
  let found = try engineJSON(server, ["customers", "find", customerReference])
  return Sold(
    validated: validated, receipt: receipt,
    succeeded: try server.succeededRedemptions(order: order),
    found: found.map { ($0["source_id"] as? String, $0["id"] as? String) },
    redemptionCustomers: try engineJSON(server, ["redemptions", "--order", order]).map {
      $0["customer_id"] as? String
    })
}

/// The order id a receipt shows.
func orderOn(_ screen: String) -> String {
  guard let line = screen.split(separator: "\n").first(where: { $0.contains("Order") }),
    let order = line.split(separator: " ").last
  else { return "" }
  return String(order)
}

/// The `data` rows of a `voucher-engine … --json` command on the server's database.
func engineJSON(_ server: LiveEngineServer, _ arguments: [String]) throws -> [[String: Any]] {
  let child = Process()
  child.executableURL = URL(fileURLWithPath: try TmuxSession.binary("voucher-engine"))
  child.arguments = arguments + ["--json", "--db", server.database]
  let output = Pipe()
  child.standardOutput = output
  child.standardError = FileHandle.nullDevice
  try child.run()
  let data = output.fileHandleForReading.readDataToEndOfFile()
  child.waitUntilExit()
  guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
    let rows = object["data"] as? [[String: Any]]
  else { throw CocoaError(.fileReadCorruptFile) }
  return rows
}
