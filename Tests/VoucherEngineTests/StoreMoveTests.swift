import Foundation
import TestSupport
import Testing

@testable import VoucherEngine

/// `voucher-engine migrate`: a store moved from its SQLite file to PostgreSQL holds the same.
@Suite("Move to PostgreSQL")
struct StoreMoveTests {
  @Test("migrate moves the demo: counts and sums equal, the same vouchers and history")
  func movesTheDemo() async throws {
    let folder = try TemporaryFolder()
    let path = folder.path("demo.sqlite")
    let url = try PostgreSQLCluster.shared().createSchema()
    let (seeded, moved) = try await offTheTestThreads {
      (
        try EngineProcess.start(["seed", "--demo", "--db", path]).waitForLines(),
        try EngineProcess.start(["migrate", "--from", path, "--to", url]).waitForLines()
      )
    }
    #expect(seeded.first?.hasPrefix("Loaded") == true)
    #expect(moved.last?.hasPrefix("Moved ") == true, "\(moved)")
    #expect(moved.dropLast().allSatisfy { $0.hasSuffix("counts and sums equal") })

    let file = try VoucherEngine(path: path)
    let copy = try VoucherEngine(path: url)
    func same<T: Equatable>(_ read: (VoucherEngine) throws -> T) throws -> Bool {
      try read(copy) == read(file)
    }
    #expect(try same { try $0.counts().customers })
    #expect(try same { try $0.counts().vouchers })
    #expect(try same { try $0.counts().redemptions })
    #expect(try same { try $0.store.read { try $0.vouchers(limit: 1000, offset: 0) } })
    #expect(try same { try $0.store.read { try $0.customers(offset: 0, limit: 1000) } })
    #expect(try same { try $0.redemptions(RedemptionQuery(limit: 1000)) })
    #expect(try same { try $0.events(limit: 10_000) })
    // New events continue the copied numbering.
    let last = try #require(try file.events(limit: 1).first?.sequence)
    try copy.createVoucher(percent(10, code: "AFTER-MOVE"))
    #expect(try copy.events(limit: 1).first?.sequence == last + 1)

    // A target that holds data is refused unless asked.
    #expect(throws: StoreMove.MoveError.self) {
      try StoreMove.copy(fromSQLite: path, to: url, replace: false)
    }
    #expect(
      try StoreMove.copy(fromSQLite: path, to: url, replace: true).filter { !$0.matches }.isEmpty)
    #expect(try VoucherEngine(path: url).counts().vouchers == file.counts().vouchers)
  }

  @Test("migrate moves a 100,000-customer issuance: counts and sums equal")
  func movesALargeIssuance() async throws {
    let path = try makeDatabasePath()
    let url = try PostgreSQLCluster.shared().createSchema()
    let (issued, checks) = try await offTheTestThreads {
      try Self.issueAndMove(path: path, url: url)
    }
    #expect(issued == 100_000)
    #expect(checks.filter { !$0.matches }.isEmpty)
    let counted = Dictionary(uniqueKeysWithValues: checks.map { ($0.table, $0.target[0]) })
    #expect(counted["customers"] == 100_000)
    #expect(counted["vouchers"] == 100_000)
    #expect(counted["issued_vouchers"] == 100_000)
    let file = try VoucherEngine(path: path)
    let copy = try VoucherEngine(path: url)
    let counts = (try copy.counts(), try file.counts())
    #expect(counts.0.customers == counts.1.customers)
    #expect(counts.0.vouchers == counts.1.vouchers)
    let mapped = try await offTheTestThreads {
      var mapped = 0
      try VoucherEngine(path: url).eachIssued(batch: "big") { _ in mapped += 1 }
      return mapped
    }
    #expect(mapped == 100_000)
  }

  /// 100,000 customers issued a voucher each in the file at `path`, then moved to `url`.
  private static func issueAndMove(path: String, url: String) throws -> (
    issued: Int, checks: [StoreMove.TableCheck]
  ) {
    let file = try VoucherEngine(path: path)
    let rows = (0..<100_000).map {
      IssueRow(
        line: $0 + 2,
        customer: CustomerDraft(
          sourceId: "c-\($0)", name: "Person \($0)", email: "p\($0)@example.com"))
    }
    let template = VoucherDraft(
      codePattern: "BIG-#####-#####",
      kind: .discount(.percent(basisPoints: 1000, amountLimit: nil)),
      quantity: 1)
    let issued = try file.issue(batch: "big", template: template, rows: rows)
    return (issued.issued, try StoreMove.copy(fromSQLite: path, to: url, replace: false))
  }
}
