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
    try sellWelcomeTenPercent(tmux)
    #expect(try server.succeededRedemptions(order: try orderOnScreen(tmux)) == 1)
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
    try sellWelcomeTenPercent(tmux)
    #expect(try server.succeededRedemptions(order: try orderOnScreen(tmux)) == 1)
  }
}

/// Without contact lookup the till opens on the code field and says why; WELCOME10 (10 %,
/// no holder) on one 259.00 line.
func sellWelcomeTenPercent(
  _ tmux: TmuxSession, sourceLocation: SourceLocation = #_sourceLocation
) throws {
  try tmux.type("WELCOME10")
  try tmux.send("Enter")
  try tmux.waitFor("Add line", sourceLocation: sourceLocation)
  try tmux.type("prod_1 1 259.00")
  try tmux.send("Enter")
  try tmux.waitFor("259.00      259.00", sourceLocation: sourceLocation)
  try tmux.send("F5")
  let validated = try tmux.waitFor("Valid. F9 redeems.", sourceLocation: sourceLocation)
  #expect(validated.contains("25.90 SEK"), sourceLocation: sourceLocation)
  try tmux.send("F9")
  try tmux.waitFor("Press Enter to redeem", sourceLocation: sourceLocation)
  try tmux.send("Enter")
  let receipt = try tmux.waitFor("Enter starts a new sale.", sourceLocation: sourceLocation)
  #expect(receipt.contains("Redeemed"), sourceLocation: sourceLocation)
  #expect(receipt.contains("Amount to pay           233.10 SEK"), sourceLocation: sourceLocation)
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
