import Foundation
import TestSupport
import Testing

@testable import VoucherEngine

// MARK: Dates

/// Fixed dates the tests agree on. Every one is a whole millisecond, as the store keeps them.
enum Day {
  /// 3 Nov 2026 10:00 UTC: "now" for most tests.
  static let now = utc(2026, 11, 3, 10)
  /// 31 Dec 2026 12:00 UTC: a typical expiration date.
  static let endOfYear = utc(2026, 12, 31, 12)
  /// 1 Oct 2026 12:00 UTC: a date in the past of `now`.
  static let lastMonth = utc(2026, 10, 1, 12)

  /// A date in UTC.
  static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0)
    -> Date
  {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let components = DateComponents(
      year: year, month: month, day: day, hour: hour, minute: minute)
    return calendar.date(from: components)!
  }

  /// `date` moved by whole milliseconds, built the same way the store reads dates back.
  static func shifted(_ date: Date, milliseconds: Int64) -> Date {
    Date(millisecondsSince1970: date.millisecondsSince1970 + milliseconds)
  }
}

let utcZone = TimeZone(identifier: "UTC")!

// MARK: Engines and databases

/// One folder per test process, removed when the process exits, so runs leave nothing behind.
let testRunFolder: URL = {
  let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("voucher-engine-tests-\(getpid())", isDirectory: true)
  atexit {
    try? FileManager.default.removeItem(
      at: FileManager.default.temporaryDirectory
        .appendingPathComponent("voucher-engine-tests-\(getpid())", isDirectory: true))
  }
  return folder
}()

/// A path for a fresh database file in a directory of its own.
func makeDatabasePath() throws -> String {
  let directory = testRunFolder.appendingPathComponent(UUID().uuidString, isDirectory: true)
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  return directory.appendingPathComponent("vouchers.sqlite").path
}

/// The stores the engine's rule, idempotency, reactivation and fence tests run against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case sqlite
  case postgresql

  var testDescription: String { rawValue }
}

/// An engine on a fresh store (a SQLite file, or a new database in the shared test cluster),
/// with a clock standing at `Day.now` unless told otherwise.
func makeEngine(_ kind: StoreKind = .sqlite, clock: ManualClock = ManualClock(Day.now)) throws
  -> VoucherEngine
{
  switch kind {
  case .sqlite: try VoucherEngine(path: makeDatabasePath(), clock: clock)
  case .postgresql:
    try VoucherEngine(path: PostgreSQLCluster.shared().createSchema(), clock: clock)
  }
}

/// The database file behind an engine made by `makeEngine`.
func databasePath(of engine: VoucherEngine) throws -> String {
  try #require(engine.store as? SQLiteStore).path
}

/// Runs `sql` on the engine's database with the store's own shell (`sqlite3` or `psql`), as
/// someone going around the engine would: whether it failed, and what it printed.
func runShell(on engine: VoucherEngine, _ sql: String) throws -> (failed: Bool, output: String) {
  if let store = engine.store as? PostgreSQLStore {
    do {
      return (false, try PostgreSQLCluster.shared().psql(sql, url: store.url))
    } catch let error as ClusterError {
      return (true, error.description)
    }
  }
  let result = try runSQLiteShell(databasePath(of: engine), sql)
  return (result.status != 0, result.output)
}

/// Runs `sql` through the `sqlite3` command-line shell on `path`.
func runSQLiteShell(_ path: String, _ sql: String) throws -> (status: Int32, output: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = ["sqlite3", path, sql]
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = pipe
  try process.run()
  let data = pipe.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

// MARK: Drafts

/// A percent discount voucher: `pct` whole percent, optionally capped at `limit` minor units.
func percent(_ pct: Int64, limit: Int64? = nil, code: String = "PCT10") -> VoucherDraft {
  VoucherDraft(code: code, kind: .discount(.percent(basisPoints: pct * 100, amountLimit: limit)))
}

/// A voucher taking `minor` units off.
func amountOff(_ minor: Int64, code: String = "OFF") -> VoucherDraft {
  VoucherDraft(code: code, kind: .discount(.amount(minor)))
}

/// A voucher that makes the applicable amount cost `minor` units.
func fixedPrice(_ minor: Int64, code: String = "FIXED") -> VoucherDraft {
  VoucherDraft(code: code, kind: .discount(.fixed(minor)))
}

/// A gift card holding `balance` of `amount` loaded.
func giftCard(balance: Int64, amount: Int64? = nil, code: String = "GIFT") -> VoucherDraft {
  VoucherDraft(code: code, kind: .gift(amount: amount ?? max(balance, 1), balance: balance))
}

/// `draft` with some fields changed.
func with(_ draft: VoucherDraft, _ change: (inout VoucherDraft) -> Void) -> VoucherDraft {
  var draft = draft
  change(&draft)
  return draft
}

// MARK: Carts and requests

/// One cart line.
func line(_ sku: String, _ price: Int64, quantity: Int64 = 1) -> CartItem {
  CartItem(sku: sku, quantity: quantity, price: price)
}

/// A request for `codes` (no gift amounts named) against `items`.
func request(
  _ codes: String..., items: [CartItem], customer: String? = nil, order: String? = nil,
  terminal: String? = nil
) -> RedemptionRequest {
  RedemptionRequest(
    codes: codes.map { CodeRequest($0) }, customer: customer, orderSourceId: order, items: items,
    channel: Channel(terminal: terminal, cashier: terminal == nil ? nil : "Kim"))
}

// MARK: Refusals

/// The reason of the `Refusal` that `body` throws; nil (and a recorded issue for any other
/// error) when it throws none.
func refusal(_ body: () throws -> some Any) -> Reason? {
  do {
    _ = try body()
    return nil
  } catch let refusal as Refusal {
    return refusal.reason
  } catch {
    Issue.record("expected a Refusal, got \(error)")
    return nil
  }
}

/// The one reason a single-code validation gives, or nil when the code applies.
func validationRefusal(_ engine: VoucherEngine, _ request: RedemptionRequest) throws -> Reason? {
  try #require(engine.validate(request).redeemables.first).refusal
}

/// True when `reason` is `.invalidPayload` (whatever its text).
func isInvalidPayload(_ reason: Reason?) -> Bool {
  if case .invalidPayload = reason { return true }
  return false
}
