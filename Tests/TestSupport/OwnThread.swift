import Foundation

/// Runs `body`, which blocks (a child process, a terminal polled until text shows), on a
/// thread of its own and awaits its result. Blocking a test's own task would hold one of the
/// few cooperative threads (two on a two-core machine) for seconds, and every async test
/// waiting to resume would wait with it: a kept-alive connection then sat idle past its
/// lifetime in another suite's test.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws
  -> T
{
  try await withCheckedThrowingContinuation { continuation in
    Thread.detachNewThread {
      continuation.resume(with: Result { try body() })
    }
  }
}
