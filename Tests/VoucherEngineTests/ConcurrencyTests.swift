import Foundation
import TestSupport
import Testing

@testable import VoucherEngine

/// Exactly once under contention: threads with their own connections and a second process
/// all redeem one voucher through the same database file.
@Suite("Concurrency")
struct ConcurrencyTests {
  @Test(
    "8 threads and a second process make 200 attempts on a quantity-5 voucher: exactly 5 succeed")
  func threadsAndProcessRedeemExactlyTheQuantity() async throws {
    let folder = try TemporaryFolder()
    let path = folder.path("engine.sqlite")
    let setup = try VoucherEngine(path: path)
    try setup.createVoucher(
      VoucherDraft(code: "RACE-5", kind: .discount(.amount(500)), quantity: 5))

    // The second process: 40 attempts, each its own order.
    let child = try EngineProcess.start([
      "redeem-loop", "RACE-5", "--order-prefix", "process", "--count", "40",
      "--item", "sku:1:100.00", "--db", path,
    ])

    // Eight threads, each with its own engine (own SQLite connections), 20 attempts each.
    let threadResults = await withTaskGroup(of: [Result<String, Refusal>].self) { group in
      for thread in 0..<8 {
        group.addTask {
          await Task.detached {
            var results: [Result<String, Refusal>] = []
            guard let engine = try? VoucherEngine(path: path) else { return results }
            for attempt in 0..<20 {
              let request = RedemptionRequest(
                codes: [CodeRequest("RACE-5")], orderSourceId: "thread-\(thread)-\(attempt)",
                items: [CartItem(sku: "sku", quantity: 1, price: 10_000)])
              do {
                results.append(.success(try engine.redeem(request).redemption.id))
              } catch let refusal as Refusal {
                results.append(.failure(refusal))
              } catch {
                results.append(.failure(Refusal(code: nil, reason: .invalidPayload("\(error)"))))
              }
            }
            return results
          }.value
        }
      }
      var all: [Result<String, Refusal>] = []
      for await results in group { all += results }
      return all
    }
    let childLines = try child.waitForLines()

    #expect(threadResults.count == 160)
    #expect(childLines.count == 40)
    let threadSuccesses = threadResults.filter { if case .success = $0 { true } else { false } }
    let childSuccesses = childLines.filter { $0.hasPrefix("ok ") }
    #expect(threadSuccesses.count + childSuccesses.count == 5)
    for case .failure(let refusal) in threadResults {
      #expect(refusal.reason.key == "quantity_exceeded")
    }
    for line in childLines where !line.hasPrefix("ok ") {
      #expect(line.hasSuffix(" quantity_exceeded"), "unexpected child line: \(line)")
    }

    let voucher = try #require(try setup.voucher(code: "RACE-5"))
    let rows = try setup.redemptions(RedemptionQuery(code: "RACE-5", limit: 1000))
    #expect(voucher.redeemedQuantity == 5)
    #expect(rows.count == 5)
    #expect(rows.allSatisfy { $0.status == .succeeded })
  }
}

/// Crash safety: acknowledged means on disk, and the file survives a kill mid-write.
@Suite("Crash")
struct CrashTests {
  @Test(
    "a redeeming process killed with SIGKILL leaves a sound database holding every acknowledged redemption"
  )
  func killedProcessLosesNothingAcknowledged() async throws {
    try await blocking {
      let folder = try TemporaryFolder()
      let path = folder.path("engine.sqlite")
      let setup = try VoucherEngine(path: path)
      try setup.createVoucher(
        VoucherDraft(code: "SOAK", kind: .discount(.percent(basisPoints: 1000, amountLimit: nil))))

      let child = try EngineProcess.start([
        "redeem-loop", "SOAK", "--order-prefix", "crash", "--count", "1000000",
        "--item", "sku:2:49.50", "--db", path,
      ])
      // Let it acknowledge a good number of redemptions, then kill it mid-stream.
      let acknowledged = try child.readLines(until: { $0.count >= 150 })
      child.kill(signal: SIGKILL)
      let rest = try child.waitForLines()
      let reported = (acknowledged + rest).filter { $0.hasPrefix("ok ") }.map {
        $0.split(separator: " ")[2]
      }
      #expect(reported.count >= 150)

      let reopened = try SQLiteStore(path: path)
      #expect(try reopened.integrityCheck() == ["ok"])
      let engine = VoucherEngine(store: reopened)
      for id in reported {
        #expect(
          try engine.redemption(id: String(id)) != nil, "acknowledged redemption \(id) is missing")
      }
      let voucher = try #require(try engine.voucher(code: "SOAK"))
      let rows = try engine.redemptions(RedemptionQuery(code: "SOAK", limit: 1000))
      #expect(voucher.redeemedQuantity >= Int64(reported.count))
      #expect(Int64(rows.count) == min(voucher.redeemedQuantity, 1000))
    }
  }
}

/// Group commit: threads sharing one engine have their redemptions committed together.
@Suite("Group commit")
struct GroupCommitTests {
  @Test(
    "16 threads sharing one engine make 400 attempts on a quantity-10 voucher: exactly 10 succeed")
  func sharedEngineRedeemsExactlyTheQuantity() async throws {
    let folder = try TemporaryFolder()
    let engine = try VoucherEngine(path: folder.path("engine.sqlite"))
    try engine.createVoucher(
      VoucherDraft(code: "GROUP-10", kind: .discount(.amount(500)), quantity: 10))
    try engine.createVoucher(VoucherDraft(code: "OPEN", kind: .discount(.amount(100))))

    let outcomes = await withTaskGroup(of: [String].self) { group in
      for thread in 0..<16 {
        group.addTask {
          await Task.detached {
            var lines: [String] = []
            for attempt in 0..<25 {
              // Every third attempt is a code that does not exist: refused inside the same
              // batches as the good ones, it must not undo them.
              let code = attempt % 3 == 2 ? "NOPE" : (attempt % 3 == 1 ? "OPEN" : "GROUP-10")
              let request = RedemptionRequest(
                codes: [CodeRequest(code)], orderSourceId: "t\(thread)-\(attempt)",
                items: [CartItem(sku: "sku", quantity: 1, price: 10_000)])
              do {
                let outcome = try engine.redeem(request)
                lines.append("ok \(code) \(outcome.redemption.id)")
              } catch let refusal as Refusal {
                lines.append("refused \(code) \(refusal.reason.key)")
              } catch {
                lines.append("error \(error)")
              }
            }
            return lines
          }.value
        }
      }
      var all: [String] = []
      for await lines in group { all += lines }
      return all
    }
    #expect(outcomes.count == 400)
    #expect(!outcomes.contains { $0.hasPrefix("error") })
    let limited = outcomes.filter { $0.contains(" GROUP-10 ") }
    #expect(limited.filter { $0.hasPrefix("ok ") }.count == 10)
    #expect(
      limited.filter { $0.hasPrefix("refused ") }.allSatisfy { $0.hasSuffix("quantity_exceeded") })
    let open = outcomes.filter { $0.contains(" OPEN ") }
    #expect(open.allSatisfy { $0.hasPrefix("ok ") })
    #expect(outcomes.filter { $0.contains(" NOPE ") }.allSatisfy { $0.hasSuffix("not_found") })

    // Every acknowledged redemption is in the database, and nothing else is.
    let reopened = try VoucherEngine(path: folder.path("engine.sqlite"))
    let acknowledged = outcomes.filter { $0.hasPrefix("ok ") }.map {
      String($0.split(separator: " ")[2])
    }
    for id in acknowledged {
      #expect(try reopened.redemption(id: id) != nil)
    }
    #expect(try reopened.counts().redemptions == acknowledged.count)
    #expect(try reopened.voucher(code: "GROUP-10")?.redeemedQuantity == 10)
    #expect(try reopened.voucher(code: "OPEN")?.redeemedQuantity == Int64(open.count))
  }
}
