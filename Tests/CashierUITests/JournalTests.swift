import Foundation
import Testing
import VoucherClient
import VoucherEngine

@testable import CashierUI

@Suite("journal")
struct JournalTests {
  func entry(_ key: String, order: String = "T01-x-0001") -> JournalAttempt {
    let request = RedemptionRequest(
      codes: [CodeRequest("WELCOME10"), CodeRequest("GIFT-1", giftCredits: 500)],
      customer: "cust_1", orderSourceId: order,
      items: [CartItem(sku: "prod_1", quantity: 2, price: 12_950)],
      channel: Channel(terminal: "T01", cashier: "Kim"))
    return JournalAttempt(
      attempt: RedeemAttempt(
        key: key, request: request, sentAt: Date(timeIntervalSince1970: 1_900_000_000.25)),
      backend: "/data/engine.sqlite", customerName: "Alice Example", subtotal: 25_900,
      discount: 2_590, giftCredits: 500, total: 22_810, currency: "SEK")
  }

  func journal() throws -> Journal {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "journal-tests-\(UUID().uuidString)")
    return Journal(path: folder.appendingPathComponent("state/journal.jsonl").path)
  }

  @Test("an attempt without an outcome is unresolved, with everything it was")
  func roundTrip() throws {
    let journal = try journal()
    try journal.append(entry("T01-x-0001.1"))
    try journal.append(outcome: .notRedeemed, of: "T01-x-0001.1", redemptionId: nil, at: Date())
    try journal.append(entry("T01-x-0001.2"))
    let contents = journal.read()
    #expect(contents.problems.isEmpty)
    #expect(contents.unresolved == [entry("T01-x-0001.2")])
  }

  @Test("a journal whose folder cannot be made says which folder and the system's reason")
  func folderThatCannotBeMade() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "journal-tests-\(UUID().uuidString)")
    try "not a folder".write(to: file, atomically: false, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let journal = Journal(path: file.path + "/state/journal.jsonl")
    do {
      try journal.claim()
      Issue.record("a journal under a plain file was claimed")
    } catch {
      #expect(error.description == "cannot create \(file.path)/state: Not a directory")
    }
  }

  @Test("one journal, one till: a second claim while the first holds it is refused")
  func secondClaimRefused() throws {
    let path = try journal().path
    let first = Journal(path: path)
    try first.claim()
    try first.claim()  // the holder asking again is no second till
    #expect(throws: Journal.JournalError.self) { try Journal(path: path).claim() }
  }

  @Test("a truncated or corrupt line is reported and skipped, never fatal")
  func corruptLines() throws {
    let journal = try journal()
    try journal.append(entry("a.1"))
    let handle = try #require(FileHandle(forWritingAtPath: journal.path))
    handle.seekToEndOfFile()
    handle.write(Data("{\"kind\":\"attempt\",\"key\":\"b.1\",\"at\":1,\"ord\n".utf8))
    handle.write(Data("not json at all\n".utf8))
    handle.write(Data("{\"kind\":\"mystery\",\"key\":\"c\",\"at\":1}\n".utf8))
    try handle.close()
    try journal.append(entry("d.1", order: "T01-x-0002"))
    let contents = journal.read()
    #expect(contents.unresolved.map(\.attempt.key) == ["a.1", "d.1"])
    #expect(contents.problems.count == 3)
    #expect(contents.problems[0].hasPrefix("Line 2 of the journal"))
    // Compacting keeps exactly the unresolved attempts.
    try journal.compact(keeping: contents.unresolved)
    #expect(journal.read() == Journal.Contents(unresolved: contents.unresolved, problems: []))
  }

  @Test("a missing journal is an empty one; the default path is per terminal under XDG_STATE_HOME")
  func defaults() throws {
    #expect(try journal().read() == Journal.Contents())
    #expect(
      Journal.defaultPath(terminal: "T 01/x", environment: ["XDG_STATE_HOME": "/state"])
        == "/state/voucher-pos/journal-T_01_x.jsonl")
    #expect(
      Journal.defaultPath(terminal: "T01", environment: ["HOME": "/home/kim"])
        == "/home/kim/.local/state/voucher-pos/journal-T01.jsonl")
  }

  @Test("a till started with unresolved attempts resolves them before the first sale")
  func recoveryFirst() async throws {
    let till = try Till()
    let open = entry("T01-old-0007.1", order: "T01-old-0007")
    till.state = AppState(
      session: till.state.session, now: till.state.now, unresolved: [open])
    #expect(till.state.route == .recovery)
    #expect(till.state.startEffects == [.resolve(open.attempt)])
    expectScreen(till.screen(), Self.recovering)
    // Keys other than quit and help do not start a sale meanwhile.
    await till.press(.function(2), .function(3), running: false)
    #expect(till.state.route == .recovery)
    await till.send(.resolved(attempt: open.attempt.key, .failure(.timedOut)), running: false)
    #expect(
      till.screen().contains("Not known yet. The voucher system did not answer the question."))
    await till.advance(by: 1)
    #expect(till.effects.last == .resolve(open.attempt))
    await till.send(.resolved(attempt: open.attempt.key, .success(.notMade)), running: false)
    #expect(till.effects.last == .recordOutcome(attempt: open.attempt.key, .notRedeemed))
    #expect(till.screen().contains("Not redeemed: the vouchers were not used."))
    await till.press(.enter)
    #expect(till.state.route == .findContact)
  }

  static let recovering = """
     Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
     Unfinished sales
      The till stopped before it knew how these sales ended. Checking each one:

      Order T01-old-0007 · Alice Example
        WELCOME10, GIFT-1 · to pay 228.10 SEK · sent 17 Mar 2030 17:46
        Asking the voucher system…

      Enter asks again now. F10 quits and keeps them for the next start.














     F1 Help  Enter Ask again  F10 Quit
    """
}
