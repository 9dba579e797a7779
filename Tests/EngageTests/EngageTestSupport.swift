import EngageClient
import EngageServer
import EngageWire
import Foundation
import Synchronization
import TestSupport
import Testing
import VoucherEngine
import VoucherRESTClient
import VoucherServer

/// One folder per test process, removed when the process exits.
let engageTestFolder: URL = {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "engage-tests-\(getpid())", isDirectory: true)
  atexit {
    try? FileManager.default.removeItem(
      at: FileManager.default.temporaryDirectory.appendingPathComponent(
        "engage-tests-\(getpid())", isDirectory: true))
  }
  return folder
}()

func freshDatabasePath() throws -> String {
  let directory = engageTestFolder.appendingPathComponent(UUID().uuidString, isDirectory: true)
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  return directory.appendingPathComponent("engine.sqlite").path
}

/// A store that can hold the next write for a while: before it takes the write lock (a
/// request that waits before it begins) or inside it (one that committed slowly). The only
/// way the point of no return is tested; production code has no delay.
final class HeldStore: VoucherStore {
  enum Hold: Sendable {
    /// Before the write lock, until another write has finished (the fence's close), at most
    /// `limit` seconds: a request that reaches the database only after its 504.
    case beforeLock(limit: TimeInterval)
    /// Inside the write lock for `seconds`: a commit that takes longer than 4.5 s.
    case insideLock(TimeInterval)
  }

  let inner: SQLiteStore
  private let next = Mutex<Hold?>(nil)
  /// Set when a held write has finished (committed or refused).
  private let heldWriteFinished = Mutex(false)
  /// Signalled when a write that was not held has finished.
  private let otherWriteDone = DispatchSemaphore(value: 0)

  init(path: String) throws { inner = try SQLiteStore(path: path) }

  /// Polls until the held write has finished; false after `timeout` seconds. Never blocks a
  /// thread of the test's pool, which other tests' answers need.
  func heldWriteDone(timeout: TimeInterval = 20) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !heldWriteFinished.withLock({ $0 }) {
      guard Date() < deadline else { return false }
      try await Task.sleep(nanoseconds: 20_000_000)
    }
    return true
  }

  func holdNextWrite(_ hold: Hold) {
    // Only writes from now on count as "another write".
    while otherWriteDone.wait(timeout: .now()) == .success {}
    next.withLock { $0 = hold }
  }

  func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T { try inner.read(body) }

  func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try held(grouped: false, body)
  }

  func writeGrouped<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try held(grouped: true, body)
  }

  private func held<T>(grouped: Bool, _ body: (any StoreTransaction) throws -> T) throws -> T {
    let hold = next.withLock { value in
      defer { value = nil }
      return value
    }
    guard let hold else {
      defer { otherWriteDone.signal() }
      return grouped ? try inner.writeGrouped(body) : try inner.write(body)
    }
    defer { heldWriteFinished.withLock { $0 = true } }
    switch hold {
    case .beforeLock(let limit):
      _ = otherWriteDone.wait(timeout: .now() + limit)
      return grouped ? try inner.writeGrouped(body) : try inner.write(body)
    case .insideLock(let seconds):
      let slow: (any StoreTransaction) throws -> T = { transaction in
        Thread.sleep(forTimeInterval: seconds)
        return try body(transaction)
      }
      return grouped ? try inner.writeGrouped(slow) : try inner.write(slow)
    }
  }
}

/// An engine with Engage contacts and reward vouchers, served under /api/v3/ on 127.0.0.1.
final class EngageFixture: Sendable {
  let store: HeldStore
  let engine: VoucherEngine
  let server: APIServer
  let cashier: IssuedAPIKey
  let alice: Customer
  let bob: Customer

  static let inAMonth = Date().addingTimeInterval(30 * 86_400)

  init(
    rate: Int = 10_000, beforeResponding: (@Sendable (HTTPRequest, Int) -> Void)? = nil
  ) throws {
    store = try HeldStore(path: freshDatabasePath())
    engine = VoucherEngine(store: store)
    let start = ContinuousClock.now
    server = try APIServer(
      engine: engine, host: "127.0.0.1", port: 0, accessLog: .none,
      dialects: [
        // The rate limit's clock stands still: a count decides, never the machine's speed.
        EngageDialect(engine: engine, rate: rate, rateClock: { [start] in start })
      ], beforeResponding: beforeResponding)
    cashier = try engine.addAPIKey(name: "till", role: .cashier)
    alice = try engine.upsertCustomer(
      CustomerDraft(
        sourceId: "alice-1", name: "Alice Lindqvist", email: "alice@example.com",
        phone: "+46701234567", memberNumber: "100200",
        metadata: .object([(key: EngageDialect.personalNumberKey, value: .string("811228-9874"))])))
    bob = try engine.upsertCustomer(
      CustomerDraft(
        sourceId: "bob-1", name: "Bob Åberg", email: "bob@example.com", phone: "+46709999999",
        memberNumber: "100300"))
    // A shared phone: two contacts, one number.
    try engine.upsertCustomer(
      CustomerDraft(sourceId: "carl-1", name: "Carl", phone: "+46708888888"))
    try engine.upsertCustomer(
      CustomerDraft(sourceId: "dora-1", name: "Dora", phone: "+46708888888"))
    try reward("R100", value: 10_000, holder: "alice-1")
    try reward("R50", value: 5_000, holder: "alice-1")
    try reward("RBOB", value: 2_500, holder: "bob-1")
    try reward("ROLD", value: 7_500, holder: "alice-1", expires: Date().addingTimeInterval(-86_400))
    try reward("RONCE", value: 1_000, holder: "alice-1", reactivationLimit: 1)
    // Not reward vouchers: a percent discount and an unbound code.
    var percent = VoucherDraft(
      code: "PCT10", kind: .discount(.percent(basisPoints: 1000, amountLimit: nil)))
    percent.holder = "alice-1"
    percent.quantity = 1
    try engine.createVoucher(percent)
    try engine.createVoucher(VoucherDraft(code: "OPEN5", kind: .discount(.amount(500))))
  }

  @discardableResult
  func reward(
    _ code: String, value: Int64, holder: String, expires: Date = EngageFixture.inAMonth,
    reactivationLimit: Int64 = 3
  ) throws -> Voucher {
    var draft = VoucherDraft(code: code, campaign: "Bonus \(code)", kind: .discount(.amount(value)))
    draft.holder = holder
    draft.quantity = 1
    draft.expirationDate = expires
    draft.reactivationLimit = reactivationLimit
    return try engine.createVoucher(draft)
  }

  var baseURL: URL { URL(string: server.baseURL)! }
  var apikey: String { "\(cashier.key.appId):\(cashier.token)" }

  func guid(_ customer: Customer) -> String {
    EngageID.guid(engineId: customer.id, kind: .contact)!
  }

  func guid(code: String) throws -> String {
    let voucher = try #require(try engine.voucher(code: code))
    return EngageID.guid(engineId: voucher.id, kind: .rewardVoucher)!
  }

  func client(grace: TimeInterval = 0.5) -> EngageClient {
    EngageClient(baseURL: baseURL, apikey: apikey, userAgent: "EngageTests/1.0", grace: grace)
  }

  /// One raw request with exactly these headers (no User-Agent unless given).
  func call(
    _ method: String, _ path: String, apikey: String? = nil, userAgent: String? = "EngageTests/1.0",
    body: Data? = nil, contentType: String? = nil, timeout: TimeInterval = 20
  ) async throws -> HTTPTransport.Answer {
    var headers: [(name: String, value: String)] = []
    if let key = apikey ?? Optional(self.apikey), !key.isEmpty {
      headers.append((name: "apikey", value: key))
    }
    if let userAgent { headers.append((name: "User-Agent", value: userAgent)) }
    if let contentType { headers.append((name: "Content-Type", value: contentType)) }
    let url = try #require(URL(string: server.baseURL + path))
    let result = await HTTPTransport().send(
      .init(method: method, url: url, headers: headers, body: body, isSafeToRepeat: false),
      timeout: timeout)
    return try result.get()
  }

  deinit { server.stop() }
}

extension HTTPTransport.Answer {
  var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
  var errorCode: String? { (json as? [String: Any])?["errorCode"] as? String }
}

/// The package root, from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// The contract's schemas: `../shared/contracts/engage/` beside the package.
let engageContract = packageRoot.deletingLastPathComponent()
  .appendingPathComponent("shared/contracts/engage")
