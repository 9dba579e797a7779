import Foundation
import TestSupport
import Testing
import VoucherClient
import VoucherEngine

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The dialect clients, each against a live server.
enum DialectKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
  case vauchar, plain
  var testDescription: String { rawValue }
}

/// What the till's conformance suite asks of every client, where the dialect can do it:
/// the same data as `Fixture`, through each dialect's client against a live server.
@Suite("Client conformance: the Vauchar and plain clients against serve")
struct DialectConformanceTests {
  private func fixture(_ kind: DialectKind) throws -> (DialectServer, any VoucherClient) {
    let live = try DialectServer()
    var ten = VoucherDraft(
      code: "TEN10", kind: .discount(.percent(basisPoints: 1000, amountLimit: nil)))
    ten.quantity = 1
    ten.expirationDate = endOfYear
    try live.engine.createVoucher(ten)
    var old = VoucherDraft(code: "OLD5", kind: .discount(.amount(500)))
    old.expirationDate = lastMonth
    try live.engine.createVoucher(old)
    try live.engine.createVoucher(
      VoucherDraft(code: "GIFT50", kind: .gift(amount: 5000, balance: 5000)))
    let client: any VoucherClient =
      switch kind {
      case .vauchar: live.vauchar(.cashier)
      case .plain: live.plain(.cashier)
      }
    return (live, client)
  }

  private let cart = [CartItem(sku: "prod_1", quantity: 1, price: 25900)]

  private func sale(_ code: String, order: String?) -> RedemptionRequest {
    RedemptionRequest(
      codes: [CodeRequest(code)], customer: "alice-1", orderSourceId: order, items: cart,
      channel: Channel(terminal: "till-02", cashier: "Kim"))
  }

  @Test("no contact lookup, said in the capabilities", arguments: DialectKind.allCases)
  func noContacts(kind: DialectKind) async throws {
    let (live, client) = try fixture(kind)
    defer { withExtendedLifetime(live) {} }
    #expect(!client.capabilities.findsContacts)
    #expect(try await client.findContacts("ali", limit: 10).isEmpty)
    #expect(try await client.contact("alice-1") == nil)
    #expect(await client.isReachable())
  }

  @Test("one voucher by code: scanner input works, unknown is nil", arguments: DialectKind.allCases)
  func voucherByCode(kind: DialectKind) async throws {
    let (live, client) = try fixture(kind)
    let found = try #require(try await client.voucher(code: " ten10\n"))
    let stored = try #require(try live.engine.voucher(code: "TEN10"))
    #expect(found.code == stored.code)
    #expect(found.id == stored.id)
    #expect(found.kind == stored.kind)
    #expect(found.expirationDate == stored.expirationDate)
    #expect(try await client.voucher(code: "NO-SUCH") == nil)
    // A gift card is not a voucher of either dialect.
    #expect(try await client.voucher(code: "GIFT50") == nil)
  }

  @Test(
    "validation: the discount, and refusals with their reasons", arguments: DialectKind.allCases)
  func validation(kind: DialectKind) async throws {
    let (live, client) = try fixture(kind)
    defer { withExtendedLifetime(live) {} }
    let result = try await client.validate(sale("ten10", order: nil))
    #expect(result.valid)
    #expect(result.orderAmount == 25900)
    #expect(result.discountAmount == 2590)
    #expect(result.totalAmount == 23310)
    #expect(result.currency == "SEK")
    #expect(result.redeemables.map(\.status) == [.active])
    let expired = try await client.validate(sale("OLD5", order: nil))
    #expect(!expired.valid)
    #expect(expired.redeemables.first?.refusal == .voucherExpired(expiredAt: lastMonth))
    let unknown = try await client.validate(sale("NOPE", order: nil))
    #expect(unknown.redeemables.first?.refusal == .notFound(code: "NOPE"))
  }

  @Test(
    "redeem exactly once: replay on the same order, refusal on another",
    arguments: DialectKind.allCases)
  func redeem(kind: DialectKind) async throws {
    let (live, client) = try fixture(kind)
    let first = try await client.redeem(
      attempt(sale("TEN10", order: "sale-1")), deadline: Date().addingTimeInterval(120))
    #expect(!first.isReplay)
    #expect(first.redemption.voucherCode == "TEN10")
    #expect(first.redemption.amount == 2590)
    #expect(first.redemption.order.totalAmount == 23310)
    #expect(first.redemption.order.sourceId == "sale-1")
    #expect(first.redemption.status == .succeeded)
    #expect(first.redemption.date == testNow)
    #expect(
      try await client.resolve(attempt(sale("TEN10", order: "sale-1"))) == .made(first.redemption))
    let other = await clientError {
      try await client.redeem(
        attempt(sale("TEN10", order: "sale-2")), deadline: Date().addingTimeInterval(120))
    }
    #expect(other == .rejected(Refusal(code: "TEN10", reason: .quantityExceeded(lastUse: nil))))
    #expect(try live.engine.counts().redemptions == 1)
    #expect(try live.engine.customer("alice-1") != nil)
  }

  @Test("serve mounts both dialects, its flags set the plain API's limits")
  func serveProcess() async throws {
    let executable = try voucherEngineExecutable()
    let database = try freshDatabasePath()
    // Child processes block while they start: on a thread of their own.
    let (credential, base, process) = try await blocking {
      () throws -> (String, String, ServeChild) in
      let keyProcess = Process()
      keyProcess.executableURL = executable
      keyProcess.arguments = [
        "keys", "add", "--role", "cashier", "--name", "till", "--json", "--db", database,
      ]
      let keyOutput = Pipe()
      keyProcess.standardOutput = keyOutput
      try keyProcess.run()
      let keyData = keyOutput.fileHandleForReading.readDataToEndOfFile()
      keyProcess.waitUntilExit()
      guard let key = try JSONSerialization.jsonObject(with: keyData) as? [String: String] else {
        throw CocoaError(.fileReadCorruptFile)
      }
      let process = Process()
      process.executableURL = executable
      process.arguments = [
        "serve", "--db", database, "--listen", "127.0.0.1:0", "--quiet",
        "--plain-rate-limits", "2,1,1,1", "--plain-rate-window", "600",
      ]
      let output = Pipe()
      process.standardOutput = output
      process.standardError = FileHandle.nullDevice
      try process.run()
      var buffer = Data()
      let deadline = Date().addingTimeInterval(20)
      while !buffer.contains(UInt8(ascii: "\n")), Date() < deadline {
        let chunk = output.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        buffer.append(chunk)
      }
      let line = String(decoding: buffer, as: UTF8.self)
      let base =
        line.range(of: "listening on ").map {
          String(line[$0.upperBound...].prefix { !$0.isNewline })
        } ?? ""
      return ("\(key["app_id"] ?? ""):\(key["token"] ?? "")", base, ServeChild(process))
    }
    defer { process.stop() }
    #expect(base.hasPrefix("http://127.0.0.1:"))
    let bearer = ["Authorization": "Bearer \(credential)"]
    var statuses: [Int] = []
    for _ in 0..<3 {
      statuses.append(
        try await rawWithHeaders(
          "GET", URL(string: base + "/plain/v1/vouchers/NONE")!, headers: bearer
        ).status)
    }
    #expect(statuses == [404, 404, 429])
    let basic = ["Authorization": "Basic " + Data(credential.utf8).base64EncodedString()]
    let vauchar = try await rawWithHeaders(
      "GET", URL(string: base + "/verifycredentials")!, headers: basic)
    #expect(vauchar.status == 200)
  }
}

/// A served process, stopped (SIGTERM, then waited for) at the end of its test.
final class ServeChild: @unchecked Sendable {
  // Only the test that started it touches it, after the start returned.
  let process: Process

  init(_ process: Process) { self.process = process }

  func stop() {
    guard process.isRunning else { return }
    process.terminate()
    process.waitUntilExit()
  }
}
