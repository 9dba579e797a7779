import Foundation

/// Commits concurrent writes together: one transaction and one fsync for a whole batch,
/// while each write stays all-or-nothing on its own.
///
/// Leader/follower, as in LevelDB's write path: a caller queues its write; the first one at
/// the head of the queue while no batch runs becomes the leader, takes every write queued
/// so far, runs each inside its own SAVEPOINT (a refusal rolls back that write only), and
/// commits once. Nobody is answered before the commit that holds their write is on disk.
/// Without concurrency every batch has one write, so a lone till pays one savepoint extra.
final class GroupCommit: @unchecked Sendable {
  /// One queued write. `run` executes it inside the batch and keeps its own result.
  final class Job {
    /// Cleared by the submitter once done: the leader may hold the job a moment longer,
    /// and the closure must not outlive the submitter's call.
    var run: ((any StoreTransaction) -> Bool)?
    var done = false
    /// Set when the batch's COMMIT failed after this write succeeded.
    var commitError: (any Error)?

    init(run: @escaping (any StoreTransaction) -> Bool) { self.run = run }
  }

  /// The largest batch: bounds how long the first write of a batch waits for the last.
  static let maximumBatch = 256

  private let condition = NSCondition()
  private var queue: [Job] = []
  private var leaderActive = false

  /// Runs `job` in the next batch and returns once that batch is committed (or failed).
  /// `execute` opens the transaction on the writer connection, runs the jobs, and commits.
  func submit(_ job: Job, execute: ([Job]) throws -> Void) {
    condition.lock()
    queue.append(job)
    while !job.done && (leaderActive || queue.first !== job) {
      condition.wait()
    }
    if job.done {
      condition.unlock()
      return
    }
    leaderActive = true
    let batch = Array(queue.prefix(Self.maximumBatch))
    queue.removeFirst(batch.count)
    condition.unlock()

    do {
      try execute(batch)
    } catch {
      for member in batch { member.commitError = error }
    }

    condition.lock()
    for member in batch { member.done = true }
    leaderActive = false
    condition.broadcast()
    condition.unlock()
  }
}
