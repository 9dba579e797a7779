import Foundation
import VoucherAPI

/// Turning wire values and errors into responses.
enum APIResponder {
  static func json(_ value: some Encodable, status: Int = 200) -> HTTPResponse {
    HTTPResponse(status: status, body: WireFormat.encode(value))
  }

  static func error(_ error: APIError, request: HTTPRequest) -> HTTPResponse {
    var error = error
    error.requestId = request.requestId
    return HTTPResponse(status: error.code, body: WireFormat.encode(error))
  }
}

/// Where access-log lines go: one per request.
public struct AccessLog: Sendable {
  let write: @Sendable (String) -> Void
  /// False for `.none`, so the server does not build lines nobody reads.
  let isEnabled: Bool

  /// Lines written through `write`.
  public init(write: @escaping @Sendable (String) -> Void) {
    self.write = write
    isEnabled = true
  }

  private init(disabled: Void) {
    write = { _ in }
    isEnabled = false
  }

  /// Each line written to stderr in one call, so lines from pool threads never interleave.
  public static let standardError = AccessLog { line in
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }

  /// Nothing written.
  public static let none = AccessLog(disabled: ())
}
