import Foundation
import TestSupport
import Testing
import VoucherEngine

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A chain: several `voucher-engine serve` processes on one PostgreSQL database, every
/// promise of one server holding across them (exactly once, idempotency, all-or-nothing
/// stacking, nothing acknowledged lost when a server or the database itself is killed).
@Suite("PostgreSQL chain")
struct PostgreSQLChainTests {
  private static let cart =
    #""order":{"amount":10000,"items":[{"product_id":"p1","quantity":1,"price":10000}]}"#

  /// A fresh database in the shared cluster with a cashier key; its URL and the key.
  private static func chainDatabase(_ cluster: PostgreSQLCluster) throws -> (
    url: String, engine: VoucherEngine, key: IssuedAPIKey
  ) {
    let url = try cluster.createSchema()
    let engine = try VoucherEngine(path: url)
    return (url, engine, try engine.addAPIKey(name: "till", role: .cashier))
  }

  @Test("16 clients split over two servers make 400 attempts on a quantity-10 voucher: exactly 10")
  func exactlyOnceAcrossServers() async throws {
    let (url, engine, key) = try Self.chainDatabase(try PostgreSQLCluster.shared())
    try engine.createVoucher(
      VoucherDraft(code: "CHAIN-10", kind: .discount(.amount(500)), quantity: 10))
    let servers = [
      try await ChainServer.start(database: url), try await ChainServer.start(database: url),
    ]

    let answers = await withTaskGroup(of: [ChainAnswer].self) { group in
      for client in 0..<16 {
        group.addTask {
          var answers: [ChainAnswer] = []
          for attempt in 0..<25 {
            answers.append(
              await servers[client % 2].redeem(
                ["CHAIN-10"], order: "c\(client)-\(attempt)", key: key))
          }
          return answers
        }
      }
      var all: [ChainAnswer] = []
      for await answers in group { all += answers }
      return all
    }

    #expect(answers.count == 400)
    #expect(answers.filter { $0.status == 200 }.count == 10)
    #expect(answers.filter { $0.status != 200 }.allSatisfy { $0.errorKey == "quantity_exceeded" })
    let voucher = try #require(try engine.voucher(code: "CHAIN-10"))
    #expect(voucher.redeemedQuantity == 10)
    #expect(try engine.redemptions(RedemptionQuery(code: "CHAIN-10", limit: 1000)).count == 10)
  }

  @Test("the same order sent to both servers at once makes one redemption")
  func sameOrderOnBothServers() async throws {
    let (url, engine, key) = try Self.chainDatabase(try PostgreSQLCluster.shared())
    try engine.createVoucher(VoucherDraft(code: "BOTH", kind: .discount(.amount(500))))
    let servers = [
      try await ChainServer.start(database: url), try await ChainServer.start(database: url),
    ]

    for order in 0..<20 {
      async let first = servers[0].redeem(["BOTH"], order: "twice-\(order)", key: key)
      async let second = servers[1].redeem(["BOTH"], order: "twice-\(order)", key: key)
      let answers = await [first, second]
      #expect(answers.allSatisfy { $0.status == 200 }, "\(answers)")
      #expect(answers[0].redemptionId != nil)
      #expect(answers[0].redemptionId == answers[1].redemptionId)
    }
    #expect(try engine.voucher(code: "BOTH")?.redeemedQuantity == 20)
    #expect(try engine.counts().redemptions == 20)
  }

  @Test("stacked sales on two servers in opposite code orders: no deadlock, all or nothing")
  func stackedOppositeOrders() async throws {
    let (url, engine, key) = try Self.chainDatabase(try PostgreSQLCluster.shared())
    for code in ["STACK-A", "STACK-B"] {
      try engine.createVoucher(
        VoucherDraft(code: code, kind: .discount(.amount(100)), quantity: 15))
    }
    let servers = [
      try await ChainServer.start(database: url), try await ChainServer.start(database: url),
    ]

    let answers = await withTaskGroup(of: [ChainAnswer].self) { group in
      for client in 0..<8 {
        group.addTask {
          var answers: [ChainAnswer] = []
          let codes = client % 2 == 0 ? ["STACK-A", "STACK-B"] : ["STACK-B", "STACK-A"]
          for attempt in 0..<6 {
            answers.append(
              await servers[client % 2].redeem(codes, order: "s\(client)-\(attempt)", key: key))
          }
          return answers
        }
      }
      var all: [ChainAnswer] = []
      for await answers in group { all += answers }
      return all
    }

    let made = answers.filter { $0.status == 200 }.count
    #expect(made == 15)
    #expect(answers.allSatisfy { $0.status == 200 || $0.errorKey == "quantity_exceeded" })
    #expect(try engine.voucher(code: "STACK-A")?.redeemedQuantity == 15)
    #expect(try engine.voucher(code: "STACK-B")?.redeemedQuantity == 15)
    // Every sale made one parent and two children.
    #expect(try engine.counts().redemptions == 3 * made)
  }

  @Test("the fence on one server racing redeems on the other: a closed attempt never lands")
  func fenceAcrossServers() async throws {
    let (url, engine, key) = try Self.chainDatabase(try PostgreSQLCluster.shared())
    try engine.createVoucher(VoucherDraft(code: "FENCED", kind: .discount(.amount(100))))
    let servers = [
      try await ChainServer.start(database: url), try await ChainServer.start(database: url),
    ]

    var closed = 0
    for attempt in 0..<40 {
      let order = "fenced-\(attempt)"
      async let redeemed = servers[attempt % 2].redeem(["FENCED"], order: order, key: key)
      async let fence = servers[(attempt + 1) % 2].close(attempt: order, key: key)
      let (redeem, close) = await (redeemed, fence)
      let made = try engine.redemptions(RedemptionQuery(orderSourceId: order, limit: 10))
      switch close.state {
      case "closed":
        closed += 1
        #expect(redeem.status != 200 && redeem.errorKey == "attempt_closed", "\(redeem)")
        #expect(made.isEmpty, "a closed attempt landed: \(order)")
      case "made":
        #expect(redeem.status == 200, "\(redeem)")
        #expect(made.map(\.id) == [close.redemptionId].compactMap { $0 })
        #expect(made.first?.id == redeem.redemptionId)
      default:
        Issue.record("the fence answered \(close)")
      }
    }
    // Both outcomes are legal; the counters agree with the rows whichever came first.
    #expect(try engine.voucher(code: "FENCED")?.redeemedQuantity == Int64(40 - closed))
    #expect(try engine.counts().redemptions == 40 - closed)
  }

  @Test("a server killed with SIGKILL under load ten times loses nothing acknowledged")
  func serverKilledUnderLoad() async throws {
    let (url, engine, key) = try Self.chainDatabase(try PostgreSQLCluster.shared())
    try engine.createVoucher(VoucherDraft(code: "SOAK", kind: .discount(.amount(100))))
    let steady = try await ChainServer.start(database: url)
    var acknowledged: [String] = []

    for round in 0..<10 {
      let victim = try await ChainServer.start(database: url)
      let load = Task {
        await withTaskGroup(of: [ChainAnswer].self) { group in
          for client in 0..<4 {
            group.addTask {
              var answers: [ChainAnswer] = []
              for attempt in 0..<15 {
                let server = client % 2 == 0 ? victim : steady
                answers.append(
                  await server.redeem(["SOAK"], order: "k\(round)-\(client)-\(attempt)", key: key)
                )
              }
              return answers
            }
          }
          var all: [ChainAnswer] = []
          for await answers in group { all += answers }
          return all
        }
      }
      // Killed once it has acknowledged some of this round's load.
      try await victim.waitForAcknowledgements(atLeast: 3, database: engine, prefix: "k\(round)-")
      await victim.stop()
      acknowledged += await load.value.compactMap { $0.status == 200 ? $0.redemptionId : nil }
    }

    #expect(acknowledged.count >= 30)
    for id in acknowledged {
      #expect(try engine.redemption(id: id) != nil, "acknowledged redemption \(id) is missing")
    }
    let voucher = try #require(try engine.voucher(code: "SOAK"))
    #expect(voucher.redeemedQuantity == Int64(try engine.counts().redemptions))
  }

  @Test(
    "PostgreSQL restarted under load: 503 while it is down, then the servers reconnect, nothing acknowledged lost"
  )
  func databaseRestartedUnderLoad() async throws {
    let cluster = try await offTheTestThreads { try PostgreSQLCluster(name: "restart") }
    defer { cluster.stop() }
    let (url, engine, key) = try Self.chainDatabase(cluster)
    try engine.createVoucher(VoucherDraft(code: "RESTART", kind: .discount(.amount(100))))
    let servers = [
      try await ChainServer.start(database: url), try await ChainServer.start(database: url),
    ]

    let stop = Flag()
    let load = Task {
      await withTaskGroup(of: [ChainAnswer].self) { group in
        for client in 0..<4 {
          group.addTask {
            var answers: [ChainAnswer] = []
            var attempt = 0
            while !stop.isSet, attempt < 400 {
              answers.append(
                await servers[client % 2].redeem(
                  ["RESTART"], order: "r\(client)-\(attempt)", key: key))
              attempt += 1
            }
            return answers
          }
        }
        var all: [ChainAnswer] = []
        for await answers in group { all += answers }
        return all
      }
    }
    try await servers[0].waitForAcknowledgements(atLeast: 20, database: engine, prefix: "r")
    try await offTheTestThreads { try cluster.crash() }
    // While it is down every answer is a 503 naming the database, and no server crashes.
    let down = await servers[0].redeem(["RESTART"], order: "while-down", key: key)
    #expect(down.status == 503)
    #expect(down.errorKey == "database_unavailable")
    try await offTheTestThreads { try cluster.start() }
    // The pooled connections are found broken and replaced: the servers answer again.
    for server in servers {
      var answer = ChainAnswer(status: 0, errorKey: nil, redemptionId: nil)
      let deadline = Date().addingTimeInterval(20)
      while answer.status != 200, Date() < deadline {
        answer = await server.redeem(["RESTART"], order: "after-\(UUID())", key: key)
      }
      #expect(answer.status == 200)
      #expect(server.isRunning)
    }
    stop.set()
    let answers = await load.value
    #expect(answers.allSatisfy { [200, 503].contains($0.status) }, "\(Set(answers.map(\.status)))")
    let reopened = try VoucherEngine(path: url)
    let acknowledged = answers.compactMap { $0.status == 200 ? $0.redemptionId : nil }
    #expect(acknowledged.count >= 20)
    for id in acknowledged {
      #expect(try reopened.redemption(id: id) != nil, "acknowledged redemption \(id) is missing")
    }
    let voucher = try #require(try reopened.voucher(code: "RESTART"))
    #expect(voucher.redeemedQuantity == Int64(try reopened.counts().redemptions))
  }
}

/// What a server answered to one redemption (status 0: no answer, the server was gone).
struct ChainAnswer: Sendable, CustomStringConvertible {
  let status: Int
  let errorKey: String?
  let redemptionId: String?

  var description: String { "\(status) \(errorKey ?? redemptionId ?? "")" }
}

/// A flag one task sets and others read.
final class Flag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false
  var isSet: Bool { lock.withLock { value } }
  func set() { lock.withLock { value = true } }
}

/// `voucher-engine serve` on a database of the chain, on a free port of 127.0.0.1.
final class ChainServer: @unchecked Sendable {
  private let process: Process
  let baseURL: URL

  init(database: String) throws {
    let process = Process()
    process.executableURL = try voucherEngineExecutable()
    process.arguments = ["serve", "--db", database, "--listen", "127.0.0.1:0", "--quiet"]
    let line = try startReadingFirstLine(process)
    guard line.hasPrefix("listening on "), let url = URL(string: String(line.dropFirst(13)))
    else {
      process.terminate()
      throw ClusterError("serve did not start on \(database): \(line)")
    }
    self.process = process
    baseURL = url
  }

  var isRunning: Bool { process.isRunning }

  /// Starts a server off the test threads (it blocks until the server says it listens).
  static func start(database: String) async throws -> ChainServer {
    try await offTheTestThreads { try ChainServer(database: database) }
  }

  /// SIGKILL, waited for off the test threads.
  func stop() async {
    _ = try? await offTheTestThreads { self.kill() }
  }

  /// A session of the chain tests' own: the shared one's few connections per host would
  /// queue these 16 clients behind other tests' requests to 127.0.0.1 (and theirs behind
  /// these).
  private static let session: URLSession = {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpMaximumConnectionsPerHost = 32
    return URLSession(configuration: configuration)
  }()

  func kill() {
    Foundation.kill(process.processIdentifier, SIGKILL)
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning, Date() < deadline { usleep(5_000) }
  }

  /// Redeems `codes` on `order` (also the idempotency key) with the cashier's key.
  func redeem(_ codes: [String], order: String, key: IssuedAPIKey) async -> ChainAnswer {
    let redeemables = codes.map { #"{"object":"voucher","id":"\#($0)"}"# }.joined(separator: ",")
    let body =
      #"{"redeemables":[\#(redeemables)],"order":{"source_id":"\#(order)","amount":10000,"items":[{"product_id":"p1","quantity":1,"price":10000}]}}"#
    var headers = ["X-App-Id": key.key.appId, "X-App-Token": key.token]
    headers["Idempotency-Key"] = order
    var request = URLRequest(
      url: baseURL.appendingPathComponent("v1/redemptions"), timeoutInterval: 30)
    request.httpMethod = "POST"
    request.httpBody = Data(body.utf8)
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    guard let (data, response) = try? await Self.session.data(for: request) else {
      return ChainAnswer(status: 0, errorKey: nil, redemptionId: nil)
    }
    let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    let answer = (
      status: (response as? HTTPURLResponse)?.statusCode ?? 0, json: json,
      errorKey: json["key"] as? String
    )
    let parent = answer.json["parent_redemption"] as? [String: Any]
    let first = (answer.json["redemptions"] as? [[String: Any]])?.first
    return ChainAnswer(
      status: answer.status, errorKey: answer.errorKey,
      redemptionId: (parent?["id"] ?? first?["id"]) as? String)
  }

  /// The fence: `POST /v1/attempts/{attempt}/close`; its state (`made`, `closed`, or the
  /// HTTP status when it failed) and the redemption it reports.
  func close(attempt: String, key: IssuedAPIKey) async -> (state: String, redemptionId: String?) {
    var request = URLRequest(
      url: baseURL.appendingPathComponent("v1/attempts/\(attempt)/close"), timeoutInterval: 30)
    request.httpMethod = "POST"
    request.setValue(key.key.appId, forHTTPHeaderField: "X-App-Id")
    request.setValue(key.token, forHTTPHeaderField: "X-App-Token")
    guard let (data, response) = try? await Self.session.data(for: request) else {
      return ("no answer", nil)
    }
    let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    guard (response as? HTTPURLResponse)?.statusCode == 200, let state = json["state"] as? String
    else { return ("status \((response as? HTTPURLResponse)?.statusCode ?? 0)", nil) }
    let redemption = json["redemption"] as? [String: Any]
    return (state, redemption?["id"] as? String)
  }

  /// Polls the database until at least `count` redemptions of orders starting with `prefix`
  /// are there (at most 60 s: the whole suite runs at once on a small machine).
  func waitForAcknowledgements(atLeast count: Int, database: VoucherEngine, prefix: String)
    async throws
  {
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      let made = try database.redemptions(RedemptionQuery(limit: 1000)).filter {
        $0.order.sourceId?.hasPrefix(prefix) == true
      }
      if made.count >= count { return }
      try await Task.sleep(nanoseconds: 20_000_000)
    }
    throw ClusterError("fewer than \(count) redemptions of \(prefix)… after 60 s")
  }

  deinit {
    if process.isRunning { kill() }
  }
}
