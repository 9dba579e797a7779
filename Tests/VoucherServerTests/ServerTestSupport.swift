import Foundation
import TestSupport
import Testing
import VoucherAPI
import VoucherClient
import VoucherEngine
import VoucherRESTClient
import VoucherServer

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// 3 Nov 2026 10:00 UTC: "now" for the tests, a whole millisecond as the store keeps dates.
let testNow = Date(timeIntervalSince1970: 1_793_700_000)
/// 31 Dec 2026 12:00 UTC.
let endOfYear = Date(timeIntervalSince1970: 1_798_718_400)
/// 1 Oct 2026 12:00 UTC, before `testNow`.
let lastMonth = Date(timeIntervalSince1970: 1_790_856_000)

/// One folder per test process, removed when the process exits.
let serverTestFolder: URL = {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "voucher-server-tests-\(getpid())", isDirectory: true)
  atexit {
    try? FileManager.default.removeItem(
      at: FileManager.default.temporaryDirectory.appendingPathComponent(
        "voucher-server-tests-\(getpid())", isDirectory: true))
  }
  return folder
}()

/// A fresh database path in a folder of its own.
func freshDatabasePath() throws -> String {
  let directory = serverTestFolder.appendingPathComponent(UUID().uuidString, isDirectory: true)
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  return directory.appendingPathComponent("engine.sqlite").path
}

/// An engine on a fresh file with a clock standing at `testNow`.
func freshEngine(clock: any WallClock = ManualClock(testNow)) throws -> VoucherEngine {
  try VoucherEngine(path: freshDatabasePath(), clock: clock)
}

/// A live `APIServer` on 127.0.0.1 (ephemeral port) over `engine`, with one key per role.
final class LiveServer: Sendable {
  let engine: VoucherEngine
  let server: APIServer
  let keys: [APIRole: IssuedAPIKey]

  init(
    engine: VoucherEngine, threads: Int = HTTPServerOptions().threads,
    surface: APISurface = .full, authLimits: AuthLimits = AuthLimits(),
    accessLog: AccessLog = .none, cashierVoidWindow: TimeInterval = 600,
    dialects: [any ServedDialect] = [], throttle: AuthThrottle? = nil,
    beforeResponding: (@Sendable (HTTPRequest, Int) -> Void)? = nil
  ) throws {
    self.engine = engine
    var options = HTTPServerOptions()
    options.threads = threads
    server = try APIServer(
      engine: engine, host: "127.0.0.1", port: 0, options: options, authLimits: authLimits,
      accessLog: accessLog, dialects: dialects, surface: surface,
      cashierVoidWindow: cashierVoidWindow, throttle: throttle,
      beforeResponding: beforeResponding)
    var keys: [APIRole: IssuedAPIKey] = [:]
    for role in APIRole.allCases {
      keys[role] = try engine.addAPIKey(name: "test \(role.rawValue)", role: role)
    }
    self.keys = keys
  }

  var baseURL: URL { URL(string: server.baseURL)! }

  /// A REST client with the key of `role`.
  func client(_ role: APIRole = .support, readTimeout: TimeInterval = 10) -> RESTClient {
    let key = keys[role]!
    return RESTClient(
      baseURL: baseURL, appId: key.key.appId, token: key.token, readTimeout: readTimeout)
  }

  /// Credentials headers for `role`.
  func headers(_ role: APIRole) -> [String: String] {
    let key = keys[role]!
    return ["X-App-Id": key.key.appId, "X-App-Token": key.token]
  }

  deinit { server.stop() }
}

/// A raw HTTP answer: status and the body parsed as a JSON object (empty when it is not one).
struct RawAnswer {
  let status: Int
  let json: [String: Any]
  let body: Data
  /// Response headers by lower-cased name.
  var headers: [String: String] = [:]

  /// The error object's key, when the body is one.
  var errorKey: String? { json["key"] as? String }

  /// True when the body is Voyado Engage's error object for `status`.
  var isEngageError: Bool {
    json["status"] as? Int == status && json["errorCode"] is String && json["message"] is String
  }

  /// True when the body is the documented error object for `status`.
  var isErrorObject: Bool {
    json["code"] as? Int == status && json["key"] is String && json["message"] is String
      && json["request_id"] is String && json.keys.contains("details")
  }
}

/// One raw request (for inputs no client would send).
func raw(
  _ method: String, _ url: URL, headers: [String: String] = [:], body: Data? = nil
) async throws -> RawAnswer {
  var request = URLRequest(url: url, timeoutInterval: 20)
  request.httpMethod = method
  for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
  if let body {
    request.httpBody = body
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
  }
  let (data, response) = try await URLSession.shared.data(for: request)
  let status = (response as? HTTPURLResponse)?.statusCode ?? 0
  let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
  var headers: [String: String] = [:]
  for (name, value) in (response as? HTTPURLResponse)?.allHeaderFields ?? [:] {
    headers["\(name)".lowercased()] = "\(value)"
  }
  return RawAnswer(status: status, json: json, body: data, headers: headers)
}

/// The package root, from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// The built `voucher-engine` next to the test bundle.
func voucherEngineExecutable() throws -> URL {
  try builtProgram("voucher-engine")
}

/// The `ClientError` thrown by `body`, or nil (and a recorded issue) when it throws none.
func clientError<T>(_ body: () async throws -> T) async -> ClientError? {
  do {
    _ = try await body()
    Issue.record("expected a ClientError")
    return nil
  } catch let error as ClientError {
    return error
  } catch {
    Issue.record("expected a ClientError, got \(error)")
    return nil
  }
}

/// `request` as try `number` of its order: what the till sends.
func attempt(_ request: RedemptionRequest, _ number: Int = 1) -> RedeemAttempt {
  RedeemAttempt(
    key: RedeemAttempt.key(orderId: request.orderSourceId ?? "no-order", number: number),
    request: request, sentAt: Date())
}
