import VoucherAPI

extension APIError {
  /// 503 for a request that starts while the server is stopping: it is not run, and the
  /// connection is closed after this answer.
  static let shuttingDown = APIError(
    code: 503, key: "shutting_down", message: "Service unavailable",
    details:
      "The server is stopping; this request was not run. Send it again to the restarted server.")

  /// 429 for a key or an address that failed authentication too often.
  static func tooManyRequests(retryAfter: Int) -> APIError {
    APIError(
      code: 429, key: "too_many_requests", message: "Too many requests",
      details: "Too many failed authentications; try again in \(retryAfter) s.")
  }
}
