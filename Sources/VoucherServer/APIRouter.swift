import Foundation
import VoucherAPI
import VoucherEngine

/// Routes, authentication and roles. Handlers are synchronous engine calls on the pool
/// thread that received the request.
struct APIRouter: Sendable {
  let engine: VoucherEngine
  /// Which routes, fields and headers are served.
  var surface: APISurface = .full

  /// Our extensions (fields, parameters, routes, headers) are served.
  var extensions: Bool { surface == .full }
  var throttle = AuthThrottle(limits: AuthLimits())
  /// How long after a sale a cashier key may still void it (its till's last sale only);
  /// support voids any.
  var cashierVoidWindow: TimeInterval = 600

  /// A caller who passed authentication.
  struct Caller {
    let key: APIKey
  }

  /// One endpoint: the role it needs and what it does.
  struct Endpoint {
    let role: APIRole
    let run: (APIRouter, HTTPRequest, Caller) throws -> HTTPResponse
  }

  /// 400 for a target whose escapes are malformed, that is not UTF-8, or that holds a
  /// control character; nil when it may be routed.
  static func targetRefusal(_ request: HTTPRequest) -> HTTPResponse? {
    guard request.targetIsValid else {
      return APIResponder.error(
        .invalidPayload("the path or query has a malformed % escape or is not UTF-8"),
        request: request)
    }
    do {
      try RequestText.check(path: request.path, query: request.queryItems())
      return nil
    } catch let error as APIError {
      return APIResponder.error(error, request: request)
    } catch {
      return APIResponder.error(.internalError, request: request)
    }
  }

  func handle(_ request: HTTPRequest) -> HTTPResponse {
    var response = answer(request)
    if extensions {
      response.headers.append((APISurface.capabilitiesHeader, APISurface.capabilitiesText))
    } else if !response.body.isEmpty, let body = try? JSONValue.parse(response.body) {
      // Strict mode answers with Voucherify's members only: ours are taken out.
      response.body = Data(APISurface.withoutOurMembers(body).jsonText.utf8)
    }
    return response
  }

  private func answer(_ request: HTTPRequest) -> HTTPResponse {
    if let refusal = Self.targetRefusal(request) { return refusal }
    let segments = Self.segments(request.path)
    if extensions, segments == ["health"] {
      guard request.method == "GET" || request.method == "HEAD" else {
        return APIResponder.error(.methodNotAllowed(request.method, request.path), request: request)
      }
      return health(request)
    }
    let caller: Caller
    do {
      switch try authenticate(request) {
      case .success(let found): caller = found
      case .failure(let refusal): return refusal.response
      }
    } catch {
      // The key could not be read (the database is down or busy): not the caller's fault.
      return failure(error, request)
    }
    var response: HTTPResponse
    switch Self.endpoint(request.method, segments, extensions: extensions) {
    case .none:
      response = APIResponder.error(.noRoute(request.method, request.path), request: request)
    case .wrongMethod:
      response = APIResponder.error(
        .methodNotAllowed(request.method, request.path), request: request)
    case .found(let endpoint):
      if caller.key.role < endpoint.role {
        response = APIResponder.error(
          .forbidden(role: caller.key.role, needs: endpoint.role), request: request)
      } else if let refusal = Self.scopeRefusal(request, segments, role: caller.key.role) {
        response = APIResponder.error(refusal, request: request)
      } else {
        response = run(endpoint, request, caller)
      }
    }
    response.appId = caller.key.appId
    return response
  }

  private func run(_ endpoint: Endpoint, _ request: HTTPRequest, _ caller: Caller) -> HTTPResponse {
    do {
      return try endpoint.run(self, request, caller)
    } catch let error as APIError {
      return APIResponder.error(error, request: request)
    } catch let refusal as Refusal {
      return APIResponder.error(APIError(refusal), request: request)
    } catch let reason as Reason {
      return APIResponder.error(APIError(Refusal(code: nil, reason: reason)), request: request)
    } catch {
      return failure(error, request)
    }
  }

  /// The answer for a failure of the store (or anything unexpected).
  private func failure(_ error: any Error, _ request: HTTPRequest) -> HTTPResponse {
    switch error {
    case StoreError.busy:
      return APIResponder.error(.busy, request: request)
    case StoreError.unavailable(let detail):
      // The database is down or restarting: the till may try again (the store reconnects).
      FileHandle.standardError.write(
        Data(
          "voucher-engine serve: \(request.requestId): the database does not answer: \(detail)\n"
            .utf8))
      return APIResponder.error(.databaseUnavailable, request: request)
    default:
      // The detail may name files or SQL: it goes to the server's log, not to the client.
      FileHandle.standardError.write(
        Data(
          "voucher-engine serve: \(request.requestId) failed: \(SafeText.visible("\(error)", limit: 500))\n"
            .utf8))
      return APIResponder.error(.internalError, request: request)
    }
  }

  private func health(_ request: HTTPRequest) -> HTTPResponse {
    do {
      // One indexed read proves the database answers; counting would scan it.
      _ = try engine.isEmpty()
      return APIResponder.json(
        WireHealth(
          status: "ok", schemaVersion: engine.schemaVersion,
          capabilities: APISurface.capabilities))
    } catch {
      return APIResponder.json(
        WireHealth(
          status: "failing", schemaVersion: engine.schemaVersion,
          capabilities: APISurface.capabilities), status: 503)
    }
  }

  // MARK: Authentication

  /// `X-App-Id` + `X-App-Token`, or `Authorization: Bearer APP_ID:TOKEN` (or `Bearer TOKEN`
  /// with `X-App-Id`).
  private func authenticate(_ request: HTTPRequest) throws -> Result<Caller, AuthRefusal> {
    var appId = request.header("X-App-Id")
    var token = request.header("X-App-Token")
    if token == nil, let authorization = request.header("Authorization"),
      authorization.lowercased().hasPrefix("bearer ")
    {
      let credential = authorization.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
      if let colon = credential.firstIndex(of: ":") {
        appId = String(credential[..<colon])
        token = String(credential[credential.index(after: colon)...])
      } else {
        token = credential
      }
    }
    switch try throttle.authenticate(
      appId: appId, token: token, address: request.clientAddress, engine: engine)
    {
    case .passed(let key): return .success(Caller(key: key))
    case .refused: return .failure(AuthRefusal(request))
    case .throttled(let retry, let limit):
      return .failure(AuthRefusal(request, retryAfter: retry, limit: limit))
    }
  }

  /// 401, or 429 with `Retry-After` and the rate-limit headers.
  struct AuthRefusal: Error {
    let response: HTTPResponse

    init(_ request: HTTPRequest) {
      response = APIResponder.error(.unauthorized, request: request)
    }

    init(_ request: HTTPRequest, retryAfter: Int, limit: Int) {
      var response = APIResponder.error(.tooManyRequests(retryAfter: retryAfter), request: request)
      response.headers = AuthThrottle.headers(retryAfter: retryAfter, limit: limit)
      self.response = response
    }
  }

  // MARK: Routes

  /// The path's non-empty segments between slashes. An ASCII path (every path a client of
  /// this API sends) is split on its bytes, an eighth of the cost of splitting `Character`s;
  /// any other path is split as before, where a slash followed by a combining mark is one
  /// character and no separator.
  static func segments(_ path: String) -> [String] {
    var text = path
    let segments: [String]? = text.withUTF8 { bytes in
      var segments: [String] = []
      segments.reserveCapacity(4)
      var start = 0
      for index in 0...bytes.count {
        guard index == bytes.count || bytes[index] == UInt8(ascii: "/") else {
          if bytes[index] >= 0x80 { return nil }
          continue
        }
        if index > start {
          segments.append(
            String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        }
        start = index + 1
      }
      return segments
    }
    return segments
      ?? path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
  }

  enum Match {
    case found(Endpoint)
    case wrongMethod
    case none
  }

  /// The route table: path shapes and methods. `{…}` segments are passed to the handler.
  static func endpoint(_ method: String, _ segments: [String], extensions: Bool = true) -> Match {
    // Pairs rather than a dictionary: a dictionary literal hashed every method of the route
    // on every request.
    func pick(_ table: KeyValuePairs<String, Endpoint>) -> Match {
      table.first { $0.key == method }.map { .found($0.value) } ?? .wrongMethod
    }
    guard segments.first == "v1" else { return .none }
    let rest = Array(segments.dropFirst())
    switch rest.count {
    case 1:
      switch rest[0] {
      case "customers":
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in try router.listCustomers(request)
          },
          "POST": Endpoint(role: .admin) { router, request, caller in
            try router.createCustomer(request, caller)
          },
        ])
      case "vouchers":
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in try router.listVouchers(request)
          },
          "POST": Endpoint(role: .admin) { router, request, caller in
            try router.createVoucher(request, caller, code: nil)
          },
        ])
      case "validations":
        return pick([
          "POST": Endpoint(role: .cashier) { router, request, caller in
            try router.validate(request, caller)
          }
        ])
      case "redemptions":
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in
            try router.listRedemptions(request)
          },
          "POST": Endpoint(role: .cashier) { router, request, caller in
            try router.redeem(request, caller)
          },
        ])
      case "me" where extensions:
        return pick([
          "GET": Endpoint(role: .cashier) { router, _, caller in router.me(caller) }
        ])
      case "qualifications":
        return pick([
          "POST": Endpoint(role: .cashier) { router, request, caller in
            try router.qualify(request, caller)
          }
        ])
      default: return .none
      }
    case 2:
      let id = rest[1]
      switch rest[0] {
      case "customers":
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in try router.customer(request, id)
          },
          "PUT": Endpoint(role: .admin) { router, request, caller in
            try router.updateCustomer(request, caller, id)
          },
          "DELETE": Endpoint(role: .admin) { router, request, caller in
            try router.deleteCustomer(request, caller, id)
          },
        ])
      case "vouchers":
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in try router.voucher(request, id) },
          "POST": Endpoint(role: .admin) { router, request, caller in
            try router.createVoucher(request, caller, code: id)
          },
          "PUT": Endpoint(role: .admin) { router, request, caller in
            try router.updateVoucher(request, caller, id)
          },
          "DELETE": Endpoint(role: .admin) { router, request, caller in
            try router.deleteVoucher(request, caller, id)
          },
        ])
      case "redemptions":
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in try router.redemption(request, id)
          }
        ])
      case "orders":
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in try router.order(request, id) }
        ])
      default: return .none
      }
    case 4 where rest[0] == "vouchers" && rest[2] == "sessions":
      let (code, key) = (rest[1], rest[3])
      return pick([
        "DELETE": Endpoint(role: .cashier) { router, request, caller in
          try router.releaseSession(request, caller, code, key)
        }
      ])
    case 3:
      let (id, action) = (rest[1], rest[2])
      switch (rest[0], action) {
      case ("customers", "redeemables"):
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in
            try router.redeemables(request, id)
          }
        ])
      case ("vouchers", "enable"), ("vouchers", "disable"):
        return pick([
          "POST": Endpoint(role: .admin) { router, request, caller in
            try router.setActive(request, caller, id, action == "enable")
          }
        ])
      case ("vouchers", "balance"):
        return pick([
          "POST": Endpoint(role: .admin) { router, request, caller in
            try router.addBalance(request, caller, id)
          }
        ])
      case ("vouchers", "transactions"):
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in
            try router.transactions(request, id)
          }
        ])
      case ("vouchers", "validate"):
        return pick([
          "POST": Endpoint(role: .cashier) { router, request, caller in
            try router.validateOne(request, caller, id)
          }
        ])
      case ("vouchers", "reactivate") where extensions:
        return pick([
          "POST": Endpoint(role: .support) { router, request, caller in
            try router.reactivate(request, caller, id)
          }
        ])
      case ("vouchers", "redemption"):
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in
            try router.voucherRedemptions(request, id)
          },
          "POST": Endpoint(role: .cashier) { router, request, caller in
            try router.redeemOne(request, caller, id)
          },
        ])
      case ("vouchers", "history") where extensions:
        return pick([
          "GET": Endpoint(role: .cashier) { router, request, _ in try router.history(request, id) }
        ])
      case ("attempts", "close") where extensions:
        return pick([
          "POST": Endpoint(role: .cashier) { router, request, _ in
            try router.closeAttempt(request, id)
          }
        ])
      case ("redemptions", "rollback"):
        // A cashier key may void its till's last sale within the window (checked by the
        // handler); any other rollback is support's.
        return pick([
          "POST": Endpoint(role: .cashier) { router, request, caller in
            try router.rollback(request, caller, id)
          }
        ])
      case ("redemptions", "rollbacks"):
        return pick([
          "POST": Endpoint(role: .cashier) { router, request, caller in
            try router.rollbackStacked(request, caller, id)
          }
        ])
      default: return .none
      }
    default:
      return .none
    }
  }
}
