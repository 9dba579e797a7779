import CCurlTransport
import Foundation
import Synchronization

/// The `https://` half of `HTTPTransport`: libcurl, loaded on the first https request
/// (`CCurlTransport`), so tills on plain http never load it.
///
/// Each curl handle keeps its own connections alive; up to `idleLimit` idle handles are kept.
/// A request that is not safe to repeat asks for a fresh connection, because libcurl on its
/// own re-sends a request whose reused connection turns out dead.
final class CurlTransport: Sendable {
  private let idleLimit: Int
  private let idle = Mutex<[CurlHandle]>([])

  init(idleLimit: Int) { self.idleLimit = idleLimit }

  deinit {
    for handle in idle.withLock({ $0 }) { cct_handle_free(handle.pointer) }
  }

  /// One exchange, on the calling (exchange) thread; the result goes to `race`.
  func exchange(
    _ request: HTTPTransport.Request, trustedCertificates: String?, bodyLimit: Int,
    deadline: ContinuousClock.Instant, race: FirstResult
  ) {
    guard let handle = idle.withLock({ $0.popLast() }) ?? Self.newHandle() else {
      var reason = [CChar](repeating: 0, count: 512)
      _ = cct_load(&reason, reason.count)
      let why = reason.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      race.resume(
        .failure(
          .notSent("HTTPS needs libcurl (libcurl4), which could not be loaded: \(why)")))
      return
    }
    let left = ContinuousClock.now.duration(to: deadline)
    let (seconds, attoseconds) = left.components
    let milliseconds = max(1, min(seconds * 1000 + attoseconds / 1_000_000_000_000_000, 1 << 30))
    let headers = request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    var result = cct_result()
    func perform(_ body: UnsafeRawBufferPointer?) {
      cct_perform(
        handle.pointer, request.method, request.url.absoluteString, headers,
        request.body == nil ? 0 : 1, body?.baseAddress, body?.count ?? 0, Int(milliseconds),
        request.isSafeToRepeat ? 0 : 1, trustedCertificates, bodyLimit,
        &result)
    }
    if let body = request.body { body.withUnsafeBytes(perform) } else { perform(nil) }
    defer { cct_result_free(&result) }
    let outcome: Result<HTTPTransport.Answer, TransportFailure>
    let message = String(cString: cct_result_message(&result))
    switch result.outcome {
    case CCT_ANSWERED:
      let body = result.body.map { Data(bytes: $0, count: result.body_length) } ?? Data()
      outcome = .success(HTTPTransport.Answer(status: result.status, body: body))
    case CCT_NOT_SENT: outcome = .failure(.notSent(message))
    case CCT_TIMED_OUT: outcome = .failure(.timedOut)
    default: outcome = .failure(.lost(message))
    }
    let won = race.resume(outcome) { self.checkIn(handle) }
    // A late answer's connection is not kept: freeing the handle closes it.
    if !won { cct_handle_free(handle.pointer) }
  }

  private static func newHandle() -> CurlHandle? {
    cct_handle_new().map(CurlHandle.init)
  }

  private func checkIn(_ handle: CurlHandle) {
    let evicted = idle.withLock { handles -> CurlHandle? in
      handles.append(handle)
      return handles.count > idleLimit ? handles.removeFirst() : nil
    }
    if let evicted { cct_handle_free(evicted.pointer) }
  }
}

/// A curl handle moving between exchanges: `@unchecked Sendable` because one exchange at a
/// time uses it, and the pool hands it over under its lock.
struct CurlHandle: @unchecked Sendable {
  let pointer: OpaquePointer
}
