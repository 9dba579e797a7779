import Foundation
import Testing

/// The till on `--api vauchar` and `--api vouchers-v1` against a live `voucher-engine serve`.
@Suite("end to end: the till on Vauchar and on the plain voucher API")
struct DialectEndToEndTests {
  @Test("a code-first sale through Vauchar, redeemed once")
  func saleOverVauchar() throws {
    let server = try LiveEngineServer()
    let tmux = TmuxSession()
    defer { tmux.stop() }
    try tmux.startPOS(
      "--endpoint \(server.url) --api vauchar --app-id \(server.appId) "
        + "--token-file \(server.tokenFile) --terminal T02")
    try tmux.waitFor("● online")
    try sellWelcomeTenPercent(tmux, customerReference: "shop-42")
    let order = try orderOnScreen(tmux)
    #expect(try server.succeededRedemptions(order: order) == 1)
    // The reference went as Vauchar's user_id: serve keeps it as the contact's source id.
    let found = try engineJSON(server, ["customers", "find", "shop-42"])
    let customerIds = try engineJSON(server, ["redemptions", "--order", order]).compactMap {
      $0["customer_id"] as? String
    }
    #expect(found.map { $0["source_id"] as? String } == ["shop-42"])
    #expect(customerIds == found.compactMap { $0["id"] as? String })
  }

  @Test("a code-first sale through the plain API, its limits set by serve's flags")
  func saleOverPlainAPI() throws {
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
      "--endpoint \(server.url)/plain/v1 --api vouchers-v1 --token-file \(bearer) --terminal T03")
    try tmux.waitFor("● online")
    try sellWelcomeTenPercent(tmux, customerReference: "member-7")
    let order = try orderOnScreen(tmux)
    #expect(try server.succeededRedemptions(order: order) == 1)
    // The reference went as the plain API's customer_id.
    let found = try engineJSON(server, ["customers", "find", "member-7"])
    #expect(found.map { $0["source_id"] as? String } == ["member-7"])
    #expect(
      try engineJSON(server, ["redemptions", "--order", order]).map {
        $0["customer_id"] as? String
      } == found.map { $0["id"] as? String })
  }
}

/// Without contact lookup the till opens on the code field and says why; WELCOME10 (10 %,
/// no holder) on one 259.00 line.
func sellWelcomeTenPercent(
  _ tmux: TmuxSession, customerReference: String? = nil,
  sourceLocation: SourceLocation = #_sourceLocation
) throws {
  try tmux.type("WELCOME10")
  try tmux.send("Enter")
  try tmux.waitFor("Add line", sourceLocation: sourceLocation)
  try tmux.type("prod_1 1 259.00")
  try tmux.send("Enter")
  try tmux.waitFor("259.00             259.00", sourceLocation: sourceLocation)
  if let customerReference {
    // Tab twice: from the line to the code field, then to the customer reference.
    try tmux.send("Tab")
    try tmux.send("Tab")
    try tmux.type(customerReference)
    try tmux.send("Enter")
    try tmux.waitFor(customerReference, sourceLocation: sourceLocation)
  }
  try tmux.send("F5")
  let validated = try tmux.waitFor("Valid. F9 redeems.", sourceLocation: sourceLocation)
  #expect(validated.contains("25.90 SEK"), sourceLocation: sourceLocation)
  try tmux.send("F9")
  try tmux.waitFor("Press Enter to redeem", sourceLocation: sourceLocation)
  try tmux.send("Enter")
  let receipt = try tmux.waitFor("Enter starts a new sale.", sourceLocation: sourceLocation)
  #expect(receipt.contains("Redeemed"), sourceLocation: sourceLocation)
  #expect(
    receipt.replacing(#/ {2,}/#, with: " ").contains("Amount to pay 233.10 SEK"),
    sourceLocation: sourceLocation)
}

/// The order id the receipt shows.
func orderOnScreen(_ tmux: TmuxSession) throws -> String {
  let screen = try tmux.screen()
  guard let line = screen.split(separator: "\n").first(where: { $0.contains("Order") }),
    let order = line.split(separator: " ").last
  else {
    Issue.record("no order on the receipt:\n\(screen)")
    return ""
  }
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
  let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  return try #require(object["data"] as? [[String: Any]])
}
