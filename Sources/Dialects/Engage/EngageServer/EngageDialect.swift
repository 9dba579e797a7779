import EngageWire
import Foundation
import VoucherEngine
import VoucherServer

/// Voyado Engage v3 on `voucher-engine serve`, under `/api/v3/`, over the same engine as
/// the Voucherify routes: contact lookup by exact key, the three reward-voucher lists, and
/// redeem and reactivate by id with Engage's point of no return.
///
/// Transport rules, in the order they are checked:
/// 1. `User-Agent` present (400 `UserAgentRequired`).
/// 2. `apikey` holding one of our keys as `APP_ID:TOKEN` (401 `ApiKeyRequired` /
///    `InvalidApiKey`). Engage keys carry no role, so every role may use every route here,
///    reactivation included: a till undoes the earlier vouchers of a refused sale with it.
///    Failures count in the server's failed-authentication throttle, the one the Voucherify
///    routes use: past its limits 429 `TooManyRequests` with `Retry-After` and
///    `X-Rate-Limit-*`, and a valid key from a throttled address still passes.
/// 3. At most `rate` requests per second per key, bursts of `rate` allowed (429
///    `TooManyRequests`); Engage answers 429 above 200 per second, the default here.
/// 4. `Content-Type: application/json` on any request that carries a body (415
///    `UnsupportedMediaType`).
///
/// Every error answer is an `EngageError`; the name is always in `errorCode`.
public struct EngageDialect: ServedDialect {
  public let engine: VoucherEngine
  /// Requests per second per key.
  public var rate: Int { limiter.rate }
  /// Seconds a redeem may take to commit before it is answered 504 and fenced off.
  public let pointOfNoReturn: TimeInterval
  let limiter: EngageRateLimiter
  let throttle: AuthThrottle

  /// Engage's documented figures: 429 above 200 requests per second; 4.5 s to commit.
  public static let defaultRate = 200
  public static let defaultPointOfNoReturn: TimeInterval = 4.5

  /// - Parameters:
  ///   - rateClock: the time the rate limit refills by (tests stop it).
  ///   - throttle: failed authentications; `serve` passes the one its other routes count in.
  public init(
    engine: VoucherEngine, rate: Int = Self.defaultRate,
    pointOfNoReturn: TimeInterval = Self.defaultPointOfNoReturn,
    rateClock: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
    throttle: AuthThrottle = AuthThrottle()
  ) {
    self.engine = engine
    self.throttle = throttle
    self.pointOfNoReturn = pointOfNoReturn
    limiter = EngageRateLimiter(rate: rate, clock: rateClock)
  }

  public func claims(_ request: HTTPRequest) -> Bool {
    request.path == "/api/v3" || request.path.hasPrefix("/api/v3/")
  }

  public func handle(_ request: HTTPRequest) -> HTTPResponse {
    guard let agent = request.header("User-Agent"), !agent.trimmingSpaces().isEmpty else {
      return failure(
        400, "UserAgentRequired",
        "Every request needs a User-Agent header naming the system and its version, like AcmePOS/1.5.",
        request)
    }
    guard let apikey = request.header("apikey"), !apikey.isEmpty else {
      return failure(401, "ApiKeyRequired", "Every request needs an apikey header.", request)
    }
    let key: APIKey
    switch authenticate(apikey, request) {
    case .passed(let found):
      key = found
    case .refused:
      return failure(401, "InvalidApiKey", "The apikey is not a live key of this server.", request)
    case .throttled(let retryAfter, let limit):
      var response = failure(
        429, "TooManyRequests",
        "Too many failed authentications; try again in \(retryAfter) s.", request)
      response.headers = AuthThrottle.headers(retryAfter: retryAfter, limit: limit)
      return response
    }
    var response: HTTPResponse
    if !limiter.admits(key.appId) {
      response = failure(
        429, "TooManyRequests",
        "More than \(limiter.rate) requests per second with this key; slow down.", request)
    } else if !request.body.isEmpty,
      request.header("Content-Type")?.lowercased().hasPrefix("application/json") != true
    {
      response = failure(
        415, "UnsupportedMediaType", "A request body must be sent as application/json.", request)
    } else {
      response = route(request, key: key)
    }
    response.appId = key.appId
    return response
  }

  /// `APP_ID:TOKEN`, checked like every key of the server (salted hash, constant time) and
  /// counted like every failure. An apikey without a colon names no key: it counts against
  /// the address.
  private func authenticate(_ apikey: String, _ request: HTTPRequest) -> AuthThrottle.Verdict {
    var appId: String?
    var token: String?
    if let colon = apikey.firstIndex(of: ":") {
      appId = String(apikey[..<colon])
      token = String(apikey[apikey.index(after: colon)...])
    }
    // A store that cannot be read refuses the key, as before: Engage has no 503 for it here.
    return
      (try? throttle.authenticate(
        appId: appId, token: token, address: request.clientAddress, engine: engine)) ?? .refused
  }

  private func route(_ request: HTTPRequest, key: APIKey) -> HTTPResponse {
    let segments = request.path.split(separator: "/").map(String.init).dropFirst(2)
    let path = Array(segments)
    let method = request.method
    do {
      switch path {
      case ["contacts", "id"]:
        guard method == "GET" else { break }
        return try contactId(request)
      case let path where path.count == 2 && path[0] == "contacts":
        guard method == "GET" else { break }
        return try contact(guid: path[1], request)
      case ["reward-vouchers"], ["reward-vouchers", "available"], ["reward-vouchers", "redeemed"]:
        guard method == "GET" else { break }
        return try rewardVouchers(list: path.count == 1 ? nil : path[1], request)
      case let path
      where path.count == 3 && path[0] == "reward-vouchers"
        && (path[2] == "redeem" || path[2] == "reactivate"):
        guard method == "POST" else { break }
        return try path[2] == "redeem"
          ? redeem(guid: path[1], request, key: key) : reactivate(guid: path[1], request, key: key)
      default:
        return failure(404, "RouteNotFound", "No route \(method) \(request.path).", request)
      }
      return failure(
        405, "MethodNotAllowed", "\(request.path) does not take \(method).", request)
    } catch let error as EngageError {
      var error = error
      error.requestId = request.requestId
      return HTTPResponse(status: error.status, body: EngageJSON.encode(error))
    } catch StoreError.busy {
      return failure(503, "ServiceUnavailable", "The database is busy; try again.", request)
    } catch {
      // The detail may name files or SQL: it goes to the server's log, not to the client.
      FileHandle.standardError.write(
        Data("voucher-engine serve: \(request.requestId) failed: \(error)\n".utf8))
      return failure(500, "InternalServerError", "The server failed.", request)
    }
  }

  func failure(_ status: Int, _ name: String, _ message: String, _ request: HTTPRequest)
    -> HTTPResponse
  {
    HTTPResponse(
      status: status,
      body: EngageJSON.encode(
        EngageError(
          status: status, errorCode: name, message: message, requestId: request.requestId)))
  }

  static func json(_ value: some Encodable) -> HTTPResponse {
    HTTPResponse(status: 200, body: EngageJSON.encode(value))
  }
}
