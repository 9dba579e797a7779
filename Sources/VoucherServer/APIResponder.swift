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

  /// Each line written to stderr in one call (the line and its newline gathered by
  /// `writev`), so lines from the request threads never interleave. No `Data` or
  /// `FileHandle` in between: they cost 4k instructions a request.
  public static let standardError = AccessLog { line in
    var line = line
    line.withUTF8 { text in
      var newline: UInt8 = 0x0A
      withUnsafeMutablePointer(to: &newline) { newline in
        var parts = [
          iovec(iov_base: UnsafeMutableRawPointer(mutating: text.baseAddress), iov_len: text.count),
          iovec(iov_base: UnsafeMutableRawPointer(newline), iov_len: 1),
        ]
        let total = text.count + 1
        var written = 0
        while written < total {
          let result = parts.withUnsafeMutableBufferPointer {
            writev(STDERR_FILENO, $0.baseAddress, Int32($0.count))
          }
          if result < 0 {
            if errno == EINTR { continue }
            return  // stderr closed or full: a log line is not worth stopping a request for
          }
          written += result
          guard written < total else { return }
          // A short write (a terminal, a full pipe): the rest, from where it stopped.
          var skip = result
          for index in parts.indices {
            let taken = min(skip, parts[index].iov_len)
            parts[index].iov_base = parts[index].iov_base.map { $0 + taken }
            parts[index].iov_len -= taken
            skip -= taken
          }
        }
      }
    }
  }

  /// Nothing written.
  public static let none = AccessLog(disabled: ())
}
