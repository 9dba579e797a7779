import Foundation
import VoucherAPI
import VoucherEngine

/// `voucher-engine serve`: the Voucherify-compatible REST API over one engine, on
/// libmicrohttpd. Every route but `GET /health` needs an API key; its role decides what it
/// may do.
public final class APIServer: Sendable {
  public let engine: VoucherEngine
  private let http: HTTPServer

  /// The bound address (the real port when 0 was asked for).
  public var host: String { http.host }
  public var port: Int { http.port }
  /// `http://HOST:PORT`.
  public var baseURL: String { "http://\(host):\(port)" }

  /// Starts serving `engine` on `host:port`.
  ///
  /// - Parameters:
  ///   - dialects: other APIs served over the same engine, asked first (by path prefix).
  ///   - surface: our extensions too (the default), or Voucherify's surface only.
  ///   - cashierVoidWindow: how long after its till's last sale a cashier key may void it.
  ///   - throttle: failed authentications, counted with the dialects given the same one;
  ///     nil makes one with `authLimits`.
  ///   - beforeResponding: a test hook run after the handler and before the answer is sent,
  ///     with the request and the status (to hold an answer past a client's deadline).
  /// - Throws: `HTTPServerError` when the address cannot be bound.
  public init(
    engine: VoucherEngine, host: String = "127.0.0.1", port: Int = 8080,
    options: HTTPServerOptions = HTTPServerOptions(), authLimits: AuthLimits = AuthLimits(),
    accessLog: AccessLog = .standardError, dialects: [any ServedDialect] = [],
    surface: APISurface = .full, cashierVoidWindow: TimeInterval = 600,
    throttle: AuthThrottle? = nil,
    beforeResponding: (@Sendable (HTTPRequest, Int) -> Void)? = nil
  ) throws {
    self.engine = engine
    let router = APIRouter(
      engine: engine, surface: surface, throttle: throttle ?? AuthThrottle(limits: authLimits),
      cashierVoidWindow: cashierVoidWindow)
    http = try HTTPServer(host: host, port: port, options: options, accessLog: accessLog) {
      request in
      let response = Self.answer(request, router: router, dialects: dialects)
      beforeResponding?(request, response.status)
      return response
    }
  }

  /// The answer to one request, whoever's it is: the HTTP layer's handler, and the request
  /// fuzzer's, which drives it without sockets.
  static func answer(
    _ request: HTTPRequest, router: APIRouter, dialects: [any ServedDialect]
  ) -> HTTPResponse {
    // The target's text is checked before any dialect sees it.
    APIRouter.targetRefusal(request)
      ?? dialects.first { $0.claims(request) }.map { $0.handle(request) }
      ?? router.handle(request)
  }

  /// The HTTP layer's counters (connections open and ended), for tests and the bench.
  public var httpServer: HTTPServer { http }

  /// Stops accepting, finishes requests in flight, shuts down.
  public func stop() { http.stop() }
}
