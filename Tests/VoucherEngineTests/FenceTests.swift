import Foundation
import Synchronization
import TestSupport
import Testing

@testable import VoucherEngine

/// The fence: an attempt is either made or closed, never both, however its redeem and the
/// fence race; a closed attempt's redeem is refused and changes nothing.
@Suite("Fence")
struct FenceTests {
  let cart = [CartItem(sku: "sku", quantity: 1, price: 10_000)]

  func request(_ order: String) -> RedemptionRequest {
    RedemptionRequest(codes: [CodeRequest("MANY")], orderSourceId: order, items: cart)
  }

  /// A database in memory-backed storage where there is some: the rounds below are durable
  /// writes, and a disk's fsyncs would make 10,000 of them take minutes.
  func fastPath() throws -> String {
    guard access("/dev/shm", W_OK) == 0 else { return try makeDatabasePath() }
    let folder = "/dev/shm/voucher-fence-\(getpid())-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    return folder + "/engine.sqlite"
  }

  func remove(_ path: String) {
    try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
  }

  @Test(
    "the fence is idempotent, and a closed attempt's redeem is refused and changes nothing",
    arguments: StoreKind.allCases)
  func closedAttemptNeverLands(_ store: StoreKind) async throws {
    try await blocking {
      let engine = try makeEngine(store)
      try engine.createVoucher(VoucherDraft(code: "MANY", kind: .discount(.amount(100))))
      #expect(try engine.closeAttempt(key: "sale-1.1") == .closed)
      #expect(try engine.closeAttempt(key: "sale-1.1") == .closed)
      #expect(
        refusal { try engine.redeem(request("sale-1"), idempotencyKey: "sale-1.1") }
          == .attemptClosed(key: "sale-1.1"))
      #expect(try engine.counts().redemptions == 0)
      #expect(try engine.voucher(code: "MANY")?.redeemedQuantity == 0)
      // A new attempt on the same order is made, once, and the fence then says so.
      let made = try engine.redeem(request("sale-1"), idempotencyKey: "sale-1.2")
      #expect(try engine.closeAttempt(key: "sale-1.2") == .made(made.redemption))
      #expect(try engine.closeAttempt(key: "sale-1.2") == .made(made.redemption))
      let again = try engine.redeem(request("sale-1"), idempotencyKey: "sale-1.2")
      #expect(again.isReplay)
      #expect(try engine.counts().redemptions == 1)
    }
  }

  @Test(
    "an attempt a rule refused made nothing: the fence closes it", arguments: StoreKind.allCases)
  func refusedAttemptCloses(_ store: StoreKind) async throws {
    try await blocking {
      let engine = try makeEngine(store)
      try engine.createVoucher(
        VoucherDraft(code: "MANY", kind: .discount(.amount(100)), minOrderAmount: 1_000_000))
      #expect(refusal { try engine.redeem(request("o"), idempotencyKey: "o.1") } != nil)
      #expect(try engine.closeAttempt(key: "o.1") == .closed)
    }
  }

  @Test("the database itself refuses an answer for a closed attempt", arguments: StoreKind.allCases)
  func triggerGuards(_ store: StoreKind) async throws {
    try await blocking {
      let engine = try makeEngine(store)
      _ = try engine.closeAttempt(key: "k.1")
      let shell = try runShell(
        on: engine,
        "INSERT INTO idempotency_keys (key, fingerprint, result_id, created_at) VALUES ('k.1', '', 'r', 0);"
      )
      #expect(shell.failed)
      #expect(shell.output.contains("closed by the fence"))
    }
  }

  @Test("redeem and fence race on two threads, 10,000 rounds: never both made and closed")
  func raceOnThreads() async throws {
    try await blocking {
      let path = try fastPath()
      defer { remove(path) }
      let redeemer = try VoucherEngine(path: path)
      let fencer = try VoucherEngine(path: path)
      try redeemer.createVoucher(VoucherDraft(code: "MANY", kind: .discount(.amount(100))))
      var made = 0
      var closed = 0
      for round in 1...10_000 {
        let key = "t-\(round)"
        let redeemed = Mutex<Result<String, Refusal>?>(nil)
        let fenced = Mutex<AttemptFence?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { side in
          if side == 0 {
            let result: Result<String, Refusal>
            do {
              result = .success(
                try redeemer.redeem(request(key), idempotencyKey: key).redemption.id)
            } catch let refusal as Refusal {
              result = .failure(refusal)
            } catch {
              result = .failure(Refusal(code: nil, reason: .invalidPayload("\(error)")))
            }
            redeemed.withLock { $0 = result }
          } else {
            fenced.withLock { $0 = try? fencer.closeAttempt(key: key) }
          }
        }
        let redemption = redeemed.withLock { $0 }
        let fence = fenced.withLock { $0 }
        switch (redemption, fence) {
        case (.success(let id)?, .made(let redemption)?) where redemption.id == id:
          made += 1
        case (.failure(let refusal)?, .closed?) where refusal.reason == .attemptClosed(key: key):
          closed += 1
        default:
          Issue.record(
            "round \(round): redeem \(String(describing: redemption)), fence \(String(describing: fence))"
          )
          return
        }
      }
      #expect(made + closed == 10_000)
      // Both orders happened, so the race was run, not one side always first.
      #expect(made > 0 && closed > 0, "made \(made), closed \(closed)")
      #expect(try redeemer.voucher(code: "MANY")?.redeemedQuantity == Int64(made))
      #expect(try redeemer.counts().redemptions == made)
    }
  }

  @Test("redeem and fence race in two processes, 10,000 attempts: never both")
  func raceInProcesses() async throws {
    try await blocking {
      let path = try fastPath()
      defer { remove(path) }
      let engine = try VoucherEngine(path: path)
      try engine.createVoucher(VoucherDraft(code: "MANY", kind: .discount(.amount(100))))
      let redeemer = try EngineProcess.start([
        "redeem-loop", "MANY", "--order-prefix", "p", "--count", "10000", "--attempt-keys",
        "--item", "sku:1:100.00", "--db", path,
      ])
      let fencer = try EngineProcess.start([
        "close-attempt", "--prefix", "p", "--count", "10000", "--db", path,
      ])
      let redeemed = try redeemer.waitForLines()
      let fenced = try fencer.waitForLines()
      #expect(redeemed.count == 10_000)
      #expect(fenced.count == 10_000)
      var made = 0
      for (redeem, fence) in zip(redeemed, fenced) {
        let r = redeem.split(separator: " ").map(String.init)
        let f = fence.split(separator: " ").map(String.init)
        guard r.count == 3, f.count >= 2, r[1] == f[1] else {
          Issue.record("lines out of step: \(redeem) / \(fence)")
          return
        }
        switch (r[0], f[0]) {
        case ("ok", "made") where f.count == 3 && f[2] == r[2]:
          made += 1
        case ("refused", "closed") where r[2] == "attempt_closed":
          break
        default:
          Issue.record("attempt \(r[1]): redeem said \(redeem), fence said \(fence)")
          return
        }
      }
      #expect(try engine.counts().redemptions == made)
      #expect(try engine.voucher(code: "MANY")?.redeemedQuantity == Int64(made))
    }
  }
}
