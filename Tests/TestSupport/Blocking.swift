import Foundation

/// Runs jobs on threads of their own, so a test that blocks (sockets, child processes, a
/// terminal polled until text shows) does not hold one of the few threads every async test
/// shares: on a 2-core machine there are two, and a blocked one starved other tests for tens
/// of seconds (a kept-alive connection then outlived its idle lifetime in another suite).
public final class ThreadPerJobExecutor: TaskExecutor {
  public init() {}

  public func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let executor = asUnownedTaskExecutor()
    let thread = Thread {
      Thread.current.name = "blocking-test"
      job.runSynchronously(on: executor)
    }
    thread.stackSize = 8 << 20
    thread.start()
  }
}

/// `body` run off the shared threads, in the same task (so its expectations count for the
/// test that called it).
@discardableResult
public func blocking<T>(_ body: () throws -> T) async throws -> T {
  try await withTaskExecutorPreference(ThreadPerJobExecutor()) { try body() }
}
