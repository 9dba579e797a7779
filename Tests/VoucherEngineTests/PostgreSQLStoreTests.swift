import Foundation
import Synchronization
import TestSupport
import Testing

@testable import VoucherEngine

/// What is PostgreSQL's own: URLs, the schema's version, the CLI's --db.
@Suite("PostgreSQL store")
struct PostgreSQLStoreTests {
  @Test(
    "a URL carrying a password is refused; the password comes from PGPASSFILE or PGPASSWORD",
    arguments: [
      ("postgresql://vouchers@db/vouchers", true),
      ("postgres://db:5432/vouchers", true),
      ("postgresql://@db:5432/vouchers", true),
      ("postgresql://vouchers@db1,db2/vouchers?target_session_attrs=read-write", true),
      ("postgresql://vouchers:secret@db/vouchers", false),
      ("postgresql://vouchers@db/vouchers?password=secret", false),
      ("postgresql://db/vouchers?sslmode=require&password=x", false),
    ])
  func passwords(url: String, accepted: Bool) {
    #expect(PostgreSQLStore.isLocation(url))
    let passed = (try? PostgreSQLStore.checkLocation(url)) != nil
    #expect(passed == accepted)
  }

  @Test("a database made by a newer release is refused with a clear message")
  func newerSchemaRefused() throws {
    let cluster = try PostgreSQLCluster.shared()
    let url = try cluster.createSchema()
    _ = try PostgreSQLStore(url: url)
    try cluster.psql("UPDATE schema_version SET version = 99", url: url)
    #expect(throws: StoreError.newerSchema(found: 99, supported: PostgreSQLStore.schemaVersion)) {
      try PostgreSQLStore(url: url)
    }
  }

  @Test("a database that does not answer is one line that says where and asks if it runs")
  func deadDatabaseIsOneLine() throws {
    let folder = FileManager.default.temporaryDirectory
      .appendingPathComponent("no-postgresql-\(UUID().uuidString)").path
    let (status, _, message) = try EngineProcess.run([
      "voucher", "show", "ANY", "--db", "postgresql://postgres@/vouchers?host=\(folder)",
    ])
    #expect(status == 1)
    #expect(message.hasPrefix("voucher-engine: cannot open the database postgresql://"))
    #expect(message.contains(folder))
    #expect(message.contains("No such file or directory Is the server running"))
    #expect(!message.contains("\\t") && !message.contains("\t"))
    #expect(message.split(separator: "\n").count == 1)
  }

  @Test("voucher-engine refuses a --db URL with a password as a usage error (exit 2)")
  func commandRefusesPassword() throws {
    let (status, _, message) = try EngineProcess.run([
      "customers", "find", "x", "--db", "postgresql://vouchers:secret@localhost/vouchers",
    ])
    #expect(status == 2)
    #expect(message.contains("PGPASSFILE"))
    #expect(!message.contains("secret"))
  }
}

@Test(
  "a redemption's locks take any key text: commas, quotes, backslashes and braces",
  arguments: StoreKind.allCases)
func keysOfAnyTextLock(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "ODD"))
  for key in [#"a,b"#, #"q"uote"#, #"back\slash"#, #"{brace}"#, "NULL", " spaced "] {
    let sale = request("ODD", items: [line("prod_1", 10000)], order: "odd-\(key)")
    let first = try engine.redeem(sale, idempotencyKey: key)
    let again = try engine.redeem(sale, idempotencyKey: key)
    #expect(!first.isReplay, "\(key)")
    #expect(again.isReplay && again.redemption.id == first.redemption.id, "\(key)")
  }
  #expect(try engine.voucher(code: "ODD")?.redeemedQuantity == 6)
  #expect(PostgreSQLStore.arrayLiteral([#"a,"b\"#, ""]) == #"{"a,\"b\\",""}"#)
}

@Test("the engine reports its own store's schema version (what /health says)")
func schemaVersionOfEachStore() throws {
  #expect(try makeEngine(.sqlite).schemaVersion == SQLiteStore.schemaVersion)
  #expect(try makeEngine(.postgresql).schemaVersion == PostgreSQLStore.schemaVersion)
  #expect(PostgreSQLStore.schemaVersion != SQLiteStore.schemaVersion)
}

@Test("a key revoked through one server stops working on another within its second of use")
func revocationAcrossServers() async throws {
  try await blocking {
    let url = try PostgreSQLCluster.shared().createSchema()
    let revoking = try VoucherEngine(path: url)
    let other = try VoucherEngine(path: url)
    let issued = try revoking.addAPIKey(name: "till 07", role: .cashier)
    let (appId, token) = (issued.key.appId, issued.token)
    #expect(try revoking.authenticate(appId: appId, token: token) != nil)
    #expect(try other.authenticate(appId: appId, token: token) != nil)
    try revoking.revokeAPIKey(appId: appId)
    #expect(try revoking.authenticate(appId: appId, token: token) == nil)
    // The other server read the key before the revocation; it may use it for a second from
    // that read (RecentKeys.postgreSQLLifetime), so it is polled, with room on a busy box.
    let deadline = Date().addingTimeInterval(10)
    while try other.authenticate(appId: appId, token: token) != nil {
      guard Date() < deadline else {
        Issue.record("the revoked key still worked on the other server after 10 s")
        return
      }
      usleep(20_000)
    }
  }
}

@Test(
  "8 threads on two engines redeem one voucher under one order at once: one redemption, replayed")
func sameOrderRacingOnPostgreSQL() async throws {
  try await blocking {
    let url = try PostgreSQLCluster.shared().createSchema()
    let engines = [try VoucherEngine(path: url), try VoucherEngine(path: url)]
    try engines[0].createVoucher(percent(10, code: "RACE"))
    for order in 0..<15 {
      let sale = request("RACE", items: [line("prod_1", 10000)], order: "race-\(order)")
      let ids = Mutex<[String]>([])
      let failures = Mutex<[String]>([])
      let done = DispatchGroup()
      for thread in 0..<8 {
        done.enter()
        Thread {
          do {
            let outcome = try engines[thread % 2].redeem(sale)
            ids.withLock { $0.append(outcome.redemption.id) }
          } catch {
            failures.withLock { $0.append("\(error)") }
          }
          done.leave()
        }.start()
      }
      done.wait()
      #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
      #expect(Set(ids.withLock { $0 }).count == 1)
    }
    #expect(try engines[0].voucher(code: "RACE")?.redeemedQuantity == 15)
    #expect(try engines[0].counts().redemptions == 15)
  }
}

@Test(
  "a use held back for the COMMIT that the rules did not allow is refused by the table, and none of its writes lands"
)
func heldUseRefusedByTheTable() throws {
  let engine = try makeEngine(.postgresql)
  let voucher = try engine.createVoucher(
    VoucherDraft(code: "ONCE", kind: .discount(.amount(500)), quantity: 1))
  _ = try engine.redeem(request("ONCE", items: [line("prod_1", 10000)], order: "once-1"))
  let eventsBefore = try engine.events(subject: voucher.id).count
  // Past the rules: a second use of a used-up voucher, written as a redemption writes it.
  #expect(throws: PostgreSQLError.self) {
    try engine.store.writeLocking(codes: ["ONCE"], keys: [], customer: nil, order: "once-2") {
      store in
      #expect(try store.consumeUse(voucherId: voucher.id, giftCredits: 0, at: Date()))
      try store.appendEvent(
        date: Date(), actor: nil, kind: "voucher.redeemed", subject: voucher.id, detail: "{}")
    }
  }
  #expect(try engine.voucher(code: "ONCE")?.redeemedQuantity == 1)
  #expect(try engine.events(subject: voucher.id).count == eventsBefore)
}
