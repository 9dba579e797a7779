/// An API dialect that `voucher-engine serve` answers beside the Voucherify routes, over the
/// same engine: Engage under `/api/v3/`, Vauchar, the plain voucher API. Each dialect lives
/// in its own folder (its wire types, these routes, and the till's client for it); the
/// server only asks each, in turn, whether a request is its own.
public protocol ServedDialect: Sendable {
  /// Whether `request` belongs to this dialect (by its path prefix).
  func claims(_ request: HTTPRequest) -> Bool
  /// The answer in the dialect's own shapes: its authentication, its errors, its headers.
  func handle(_ request: HTTPRequest) -> HTTPResponse
}
