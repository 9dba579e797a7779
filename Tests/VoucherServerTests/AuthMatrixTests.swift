import EngageServer
import EngageWire
import Foundation
import PlainServer
import TestSupport
import Testing
import VaucharServer
import VoucherClient
import VoucherEngine
@testable import VoucherServer

/// The README's table of who may do what, read from the README itself and tried on a live
/// server for every credential: so the documentation is the test's table and cannot drift.
@Suite("The auth matrix", .serialized)
struct AuthMatrixTests {
  struct Row: CustomStringConvertible {
    let method: String
    let target: String
    /// nil: no key needed.
    let least: APIRole?
    var description: String { "\(method) \(target)" }
    /// Voyado Engage's routes: the key in `apikey`, Engage's error object.
    var isEngage: Bool { target.hasPrefix("/api/v3/") }
  }

  enum Credential: String, CaseIterable {
    case none = "no key"
    case unknown = "unknown key"
    case wrongToken = "wrong token"
    case revoked = "revoked key"
    case cashier, support, admin

    var role: APIRole? {
      switch self {
      case .cashier: .cashier
      case .support: .support
      case .admin: .admin
      default: nil
      }
    }
  }

  /// The rows between the README's `auth-matrix` markers: `| METHOD | target | role |`.
  static func documentedRows() throws -> [Row] {
    let readme = try String(
      contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    guard let start = readme.range(of: "<!-- auth-matrix -->"),
      let end = readme.range(of: "<!-- /auth-matrix -->"), start.upperBound < end.lowerBound
    else { throw ServeProcessError(description: "README has no auth-matrix table") }
    var rows: [Row] = []
    for line in readme[start.upperBound..<end.lowerBound].split(separator: "\n") {
      let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      guard cells.count >= 3, ["GET", "POST", "PUT", "DELETE"].contains(cells[0]) else {
        continue
      }
      let target = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
      let least: APIRole? = cells[2] == "none" ? nil : APIRole(rawValue: cells[2])
      if cells[2] != "none", least == nil {
        throw ServeProcessError(description: "unknown role \(cells[2]) in \(line)")
      }
      rows.append(Row(method: cells[0], target: target, least: least))
    }
    return rows
  }

  @Test("every documented route × every credential gets what the README's table says")
  func matrix() async throws {
    let rows = try Self.documentedRows()
    #expect(rows.count >= 25, "the README's table has only \(rows.count) rows")
    let engine = try freshEngine(clock: SystemClock())
    var generous = AuthLimits()
    generous.perKey = 1_000_000
    generous.perAddress = 1_000_000
    let throttle = AuthThrottle(limits: generous)
    let live = try LiveServer(
      engine: engine, dialects: [EngageDialect(engine: engine, throttle: throttle)],
      throttle: throttle)
    let alice = try engine.upsertCustomer(
      CustomerDraft(sourceId: "customer-1", name: "Alice", email: "alice@example.com"))
    var vouchers: [Voucher] = []
    for code in ["MATRIX-1", "MATRIX-2", "MATRIX-3"] {
      vouchers.append(
        try engine.createVoucher(
          VoucherDraft(code: code, kind: .discount(.amount(100)), holder: "customer-1")))
    }
    let contactGUID = try #require(EngageID.guid(engineId: alice.id, kind: .contact))
    let rewardGUID = try #require(EngageID.guid(engineId: vouchers[2].id, kind: .rewardVoucher))
    let redemption = try engine.redeem(
      RedemptionRequest(
        codes: [CodeRequest("MATRIX-1")], customer: "customer-1", orderSourceId: "order-1",
        items: [CartItem(sku: "p", quantity: 1, price: 1000)]))
    let revoked = try engine.addAPIKey(name: "old till", role: .admin)
    try engine.revokeAPIKey(appId: revoked.key.appId)

    func headers(_ credential: Credential) -> [String: String] {
      switch credential {
      case .none: [:]
      case .unknown: ["X-App-Id": "app_nobody", "X-App-Token": "vpt_nothing"]
      case .wrongToken: ["X-App-Id": live.keys[.cashier]!.key.appId, "X-App-Token": "vpt_wrong"]
      case .revoked: credentials(revoked)
      case .cashier, .support, .admin: live.headers(credential.role!)
      }
    }
    /// The same credentials in Engage's `apikey` header (and the User-Agent it requires).
    func engageHeaders(_ credential: Credential) -> [String: String] {
      let plain = headers(credential)
      var engage = ["User-Agent": "MatrixTest/1.0"]
      if let appId = plain["X-App-Id"], let token = plain["X-App-Token"] {
        engage["apikey"] = "\(appId):\(token)"
      }
      return engage
    }
    let port = live.server.port
    try await blocking {
      for row in rows {
        let target = row.target.replacingOccurrences(
          of: "{redemption}", with: redemption.redemption.id
        )
        .replacingOccurrences(of: "{contact}", with: contactGUID)
        .replacingOccurrences(of: "{reward-voucher}", with: rewardGUID)
        for credential in Credential.allCases {
          let body: Data? = row.method == "POST" || row.method == "PUT" ? Data("{}".utf8) : nil
          let answer = socketRaw(
            row.method, port: port, target,
            headers: row.isEngage ? engageHeaders(credential) : headers(credential), body: body)
          let label =
            "\(row) with \(credential.rawValue): \(answer.status) \(answer.errorKey ?? "")"
          guard let least = row.least else {
            #expect(answer.status == 200, "\(label)")
            continue
          }
          if let role = credential.role {
            if role < least {
              #expect(answer.status == 403, "\(label)")
            } else {
              #expect(![401, 403, 405].contains(answer.status), "\(label)")
              #expect(!(answer.status == 404 && answer.json["resource_type"] as? String == "route"))
              #expect(answer.json["errorCode"] as? String != "RouteNotFound", "\(label)")
            }
          } else {
            #expect(answer.status == 401, "\(label)")
          }
          if answer.status >= 400 {
            #expect(row.isEngage ? answer.isEngageError : answer.isErrorObject, "\(label)")
          }
        }
      }
    }
  }

  @Test("failed authentication is limited per key and per address with 429, and others still pass")
  func rateLimited() async throws {
    try await blocking {
      let engine = try freshEngine(clock: SystemClock())
      var limits = AuthLimits()
      limits.perKey = 5
      limits.perAddress = 8
      let live = try LiveServer(engine: engine, authLimits: limits)
      let port = live.server.port
      func raw(_ method: String, _ target: String, headers: [String: String] = [:]) -> RawAnswer {
        socketRaw(method, port: port, target, headers: headers)
      }
      let url = "/v1/vouchers/NONE"
      let cashier = live.keys[.cashier]!.key.appId
      var statuses: [Int] = []
      for _ in 0..<12 {
        let answer = raw("GET", url, headers: ["X-App-Id": cashier, "X-App-Token": "vpt_wrong"])
        statuses.append(answer.status)
      }
      #expect(statuses == Array(repeating: 401, count: 5) + Array(repeating: 429, count: 7))
      // The throttled key is refused even with its right token until the window ends …
      #expect(raw("GET", url, headers: live.headers(.cashier)).status == 429)
      // … while another till's key, from the same address, is served.
      #expect(raw("GET", url, headers: live.headers(.support)).status == 404)

      // No key at all counts against the address; a valid key from it still passes.
      var anonymous: [Int] = []
      for _ in 0..<10 { anonymous.append(raw("GET", url).status) }
      #expect(anonymous == Array(repeating: 401, count: 8) + [429, 429])
      #expect(raw("GET", url, headers: live.headers(.support)).status == 404)

      // The 429 says when to come back, with Voucherify's rate-limit headers.
      let socket = try #require(RawSocket(port: live.server.port))
      socket.send(
        rawRequest(
          "GET", "/v1/vouchers/NONE", headers: ["X-App-Id": cashier, "X-App-Token": "vpt_wrong"]))
      let answer = try #require(socket.response(timeout: 10))
      #expect(answer.status == 429)
      let retry = try #require(answer.header("Retry-After").flatMap { Int($0) })
      #expect((1...60).contains(retry))
      #expect(answer.header("X-Rate-Limit-Limit") == "5")
      #expect(answer.header("X-Rate-Limit-Remaining") == "0")
      #expect(answer.text.contains("too_many_requests"))
    }
  }

  @Test(
    "Engage's apikey counts in the same failed-authentication throttle, with 429 and its headers")
  func engageThrottled() async throws {
    try await blocking {
      let engine = try freshEngine(clock: SystemClock())
      var limits = AuthLimits()
      limits.perKey = 5
      limits.perAddress = 8
      let throttle = AuthThrottle(limits: limits)
      let live = try LiveServer(
        engine: engine, dialects: [EngageDialect(engine: engine, throttle: throttle)],
        throttle: throttle)
      let port = live.server.port
      let cashier = live.keys[.cashier]!
      let engageTarget = "/api/v3/contacts/id?email=nobody@example.com"
      func engage(_ apikey: String?) -> RawAnswer {
        var headers = ["User-Agent": "MatrixTest/1.0"]
        headers["apikey"] = apikey
        return socketRaw("GET", port: port, engageTarget, headers: headers)
      }
      func voucherify(_ headers: [String: String]) -> RawAnswer {
        socketRaw("GET", port: port, "/v1/vouchers/NONE", headers: headers)
      }
      // Wrong tokens for one key through either header count together: 3 + 2 reach the limit.
      var statuses: [Int] = []
      for _ in 0..<3 {
        statuses.append(
          voucherify(["Authorization": "Bearer \(cashier.key.appId):vpt_wrong"]).status)
      }
      for _ in 0..<2 { statuses.append(engage("\(cashier.key.appId):vpt_wrong").status) }
      #expect(statuses == Array(repeating: 401, count: 5))
      let refused = engage("\(cashier.key.appId):vpt_wrong")
      #expect(refused.status == 429)
      #expect(refused.isEngageError)
      #expect(refused.json["errorCode"] as? String == "TooManyRequests")
      let retry = try #require(refused.headers["retry-after"].flatMap { Int($0) })
      #expect((1...60).contains(retry))
      #expect(refused.headers["x-rate-limit-limit"] == "5")
      #expect(refused.headers["x-rate-limit-remaining"] == "0")
      #expect(refused.headers["x-rate-limit-reset"] == "\(retry)")
      // The throttled key is refused even with its right token, on either dialect …
      #expect(engage("\(cashier.key.appId):\(cashier.token)").status == 429)
      #expect(voucherify(live.headers(.cashier)).status == 429)
      // … while another till's key from the same address is served.
      let support = live.keys[.support]!
      #expect(engage("\(support.key.appId):\(support.token)").status == 404)

      // An apikey that names no key counts against the address; a valid key still passes.
      var anonymous: [Int] = []
      for index in 0..<10 {
        anonymous.append(engage(index.isMultiple(of: 2) ? "no-colon" : "app_nobody:x").status)
      }
      #expect(anonymous == Array(repeating: 401, count: 8) + [429, 429])
      #expect(voucherify([:]).status == 429)
      #expect(engage("\(support.key.appId):\(support.token)").status == 404)
    }
  }

  @Test("Vauchar's Basic auth and the plain API's Bearer count in the same throttle")
  func otherDialectsThrottled() async throws {
    try await blocking {
      let engine = try freshEngine(clock: SystemClock())
      var limits = AuthLimits()
      limits.perKey = 4
      let throttle = AuthThrottle(limits: limits)
      let live = try LiveServer(
        engine: engine,
        dialects: [
          VaucharDialect(engine: engine, throttle: throttle),
          PlainDialect(engine: engine, throttle: throttle),
        ],
        throttle: throttle)
      let port = live.server.port
      let cashier = live.keys[.cashier]!
      func vauchar(_ token: String) -> RawAnswer {
        let basic = Data("\(cashier.key.appId):\(token)".utf8).base64EncodedString()
        return socketRaw(
          "GET", port: port, "/verifycredentials", headers: ["Authorization": "Basic \(basic)"])
      }
      func plain(_ token: String) -> RawAnswer {
        socketRaw(
          "GET", port: port, "/plain/v1/vouchers/NONE",
          headers: ["Authorization": "Bearer \(cashier.key.appId):\(token)"])
      }
      // Two wrong tokens on each dialect reach the key's limit of 4 …
      let statuses = [vauchar("wrong"), plain("wrong"), vauchar("wrong"), plain("wrong")].map(
        \.status)
      #expect(statuses == [401, 401, 401, 401])
      // … and then both refuse it, the right token too, with the throttle's headers.
      for answer in [vauchar(cashier.token), plain(cashier.token)] {
        #expect(answer.status == 429)
        #expect(answer.headers["retry-after"].flatMap { Int($0) } != nil)
        #expect(answer.headers["x-rate-limit-limit"] == "4")
      }
      #expect(
        socketRaw("GET", port: port, "/v1/vouchers/NONE", headers: live.headers(.cashier)).status
          == 429)
      // Another key from the same address is served.
      let support = live.keys[.support]!
      let basic = Data("\(support.key.appId):\(support.token)".utf8).base64EncodedString()
      #expect(
        socketRaw(
          "GET", port: port, "/verifycredentials", headers: ["Authorization": "Basic \(basic)"]
        ).status == 200)
    }
  }
}

@Suite("The till with a cashier key")
struct CashierKeyTests {
  @Test("the till's REST client does a whole sale with a cashier key, and a bulk list is refused")
  func wholeSale() async throws {
    let engine = try freshEngine(clock: SystemClock())
    try engine.upsertCustomer(
      CustomerDraft(sourceId: "anna", name: "Anna Lind", email: "anna@example.com"))
    try engine.createVoucher(
      VoucherDraft(code: "ANNA-10", kind: .discount(.amount(1000)), holder: "anna"))
    let live = try LiveServer(engine: engine)
    let till = live.client(.cashier)
    #expect(await till.isReachable())
    let found = try await till.findContacts("lind", limit: 20)
    let anna = try #require(found.first)
    #expect(try await till.contact(anna.id)?.sourceId == "anna")
    let page = try await till.vouchers(of: anna.id, filter: .available, page: 1, limit: 50)
    #expect(page.items.map(\.voucher.code) == ["ANNA-10"])
    #expect(try await till.voucher(code: "ANNA-10") != nil)
    let request = RedemptionRequest(
      codes: [CodeRequest("ANNA-10")], customer: anna.id, orderSourceId: "sale-anna",
      items: [CartItem(sku: "p", quantity: 1, price: 5000)])
    #expect(try await till.validate(request).valid)
    _ = try await till.redeem(attempt(request), deadline: Date().addingTimeInterval(30))
    #expect(try await till.redemptions(ofOrder: "sale-anna").count == 1)
    // What a till never needs: every customer, every voucher.
    for target in ["/v1/customers", "/v1/vouchers", "/v1/redemptions"] {
      let answer = socketRaw(
        "GET", port: live.server.port, target, headers: live.headers(.cashier))
      #expect(answer.status == 403, "\(target)")
    }
  }
}

@Test(
  "a key throttled at its limit is let through again once its window ends; one below it never waits"
)
func throttleWindowEnds() async throws {
  var limits = AuthLimits()
  limits.perKey = 3
  limits.window = 1
  let throttle = AuthThrottle(limits: limits)
  #expect(throttle.keyRetryAfter("app_a 10.0.0.1") == nil)
  for _ in 0..<2 { throttle.keyFailed("app_b 10.0.0.1") }
  for _ in 0..<3 { throttle.keyFailed("app_a 10.0.0.1") }
  #expect(throttle.keyRetryAfter("app_a 10.0.0.1") == 1)
  #expect(throttle.keyRetryAfter("app_a 10.0.0.2") == nil)
  #expect(throttle.keyRetryAfter("app_b 10.0.0.1") == nil)
  try await Task.sleep(for: .milliseconds(1_100))
  #expect(throttle.keyRetryAfter("app_a 10.0.0.1") == nil)
}
