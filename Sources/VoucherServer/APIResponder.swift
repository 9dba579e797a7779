import Foundation
import VoucherAPI

#if canImport(Glibc)
  import Glibc
#endif

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

  /// Each line and its newline written to stderr in one `write`, so lines from the request
  /// threads never interleave. No `Data` or `FileHandle` in between: they cost 4k
  /// instructions a request.
  public static let standardError = AccessLog { line in
    var text = line
    text.append("\n")
    text.withUTF8 { bytes in
      var offset = 0
      while offset < bytes.count {
        let written = Glibc.write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return  // stderr closed (EBADF, EPIPE): a log line is not worth failing a request
        }
        offset += written  // a short write (a terminal): the rest, from where it stopped
      }
    }
  }

  /// Nothing written.
  public static let none = AccessLog(disabled: ())
}
