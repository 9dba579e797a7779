import Foundation
import Testing

/// Runs jobs on threads of their own, so a test that blocks (sockets, child processes,
/// polling) does not hold one of the few threads every async test shares: blocking there
/// starved other tests' clients for tens of seconds on a 2-core machine.
final class ThreadPerJobExecutor: TaskExecutor {
  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let executor = asUnownedTaskExecutor()
    let thread = Thread {
      Thread.current.name = "load-test"
      job.runSynchronously(on: executor)
    }
    thread.stackSize = 8 << 20
    thread.start()
  }
}

/// `body` run off the shared threads, in the same task (so its expectations count for the
/// test that called it).
func blocking<T>(_ body: () throws -> T) async throws -> T {
  try await withTaskExecutorPreference(ThreadPerJobExecutor()) { try body() }
}

/// The tests that load the machine (floods, crash loops, child processes, seeded random
/// inputs), one at a time: run together they starved the timing-sensitive tests that run
/// beside them.
@Suite("Under load", .serialized)
struct LoadTests {}
