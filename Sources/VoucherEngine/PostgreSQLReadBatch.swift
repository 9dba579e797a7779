import Foundation

/// Reads that arrive together (validations from many tills at once) sent to PostgreSQL
/// together: one connection carries them in one pipeline, so the database wakes once for
/// the lot instead of once per read, and answers them one after the other, each statement
/// with its own snapshot, exactly as if each had been sent alone outside a transaction.
///
/// Leader/follower, as `GroupCommit`: a read that finds no batch running leads at once
/// (alone, it waits for nobody); one that finds a batch running queues, and the leader,
/// once done, hands the lead to the first read queued, which takes every read queued by
/// then. Only a one-statement read outside a transaction comes here (the read-ahead of a
/// validation); the leader runs the batch on its own connection.
final class PostgreSQLReadBatch: @unchecked Sendable {
  /// One queued read; `outcome` is set by the leader of its batch before `wake`, or left nil
  /// when `wake` means "lead the next batch".
  private final class Request: @unchecked Sendable {
    let sql: SQL
    let values: [SQLValue]
    var outcome: Result<OpaquePointer, PostgreSQLError>?
    let wake = DispatchSemaphore(value: 0)

    init(_ sql: SQL, _ values: [SQLValue]) {
      self.sql = sql
      self.values = values
    }
  }

  /// The largest batch: bounds how long the first read of a batch waits for the last.
  static let maximumBatch = 32

  private let lock = NSLock()
  private var queue: [Request] = []
  /// Batches in flight, at most `lanes`.
  private var running = 0
  /// The most reads one batch has carried (for tests).
  var largestBatch: Int { lock.withLock { largest } }
  private var largest = 0
  private let lanes: Int

  /// - Parameter lanes: batches in flight at once. On 2 cores under 16 validating clients,
  ///   1, 2, 3, 4 and 16 (no batching at all) were tried: 2 used the database's CPU least
  ///   per validation (51–64 µs against 71–84 µs unbatched) and answered the most.
  init(lanes: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)) {
    self.lanes = max(1, lanes)
  }

  /// The result of `sql` (for the caller to clear), run in the next batch; `connection` (the
  /// caller's own, outside a transaction, nothing held back) carries the batch when this read
  /// leads it.
  ///
  /// - Throws: the statement's own error; or, with an empty SQLSTATE, a failure of the
  ///   batch's connection, after which the caller may run the statement on its own.
  func result(of sql: SQL, _ values: [SQLValue], leading connection: PostgreSQLConnection)
    throws -> OpaquePointer
  {
    let request = Request(sql, values)
    lock.lock()
    if running >= lanes {
      queue.append(request)
      lock.unlock()
      request.wake.wait()
    } else {
      running += 1
      lock.unlock()
    }
    if request.outcome == nil { lead(request, on: connection) }
    return try request.outcome!.get()
  }

  /// Runs `first` and the reads queued behind it, answers them, and hands the lead on.
  private func lead(_ first: Request, on connection: PostgreSQLConnection) {
    lock.lock()
    let taken = min(queue.count, Self.maximumBatch - 1)
    let batch = [first] + queue.prefix(taken)
    queue.removeFirst(taken)
    largest = max(largest, batch.count)
    lock.unlock()

    do {
      let outcomes = try connection.pipelinedResults(batch.map { ($0.sql, $0.values) })
      for (request, outcome) in zip(batch, outcomes) { request.outcome = outcome }
    } catch {
      let failure =
        error as? PostgreSQLError ?? PostgreSQLError(sqlState: "", message: "\(error)")
      for request in batch { request.outcome = .failure(failure) }
    }

    lock.lock()
    let next = queue.isEmpty ? nil : queue.removeFirst()
    if next == nil { running -= 1 }
    lock.unlock()
    // The next leader first, so that its round trip overlaps the answers given here.
    next?.wake.signal()
    for request in batch.dropFirst() { request.wake.signal() }
  }
}
