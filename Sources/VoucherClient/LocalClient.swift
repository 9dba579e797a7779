import Dispatch
import Foundation
import VoucherEngine

/// `VoucherClient` over the embedded engine in this process. Engine calls are blocking
/// SQLite work, so they run on a global queue, never on the caller's (UI) thread.
public final class LocalClient: VoucherClient {
  public let engine: VoucherEngine
  public let backendDescription: String

  public init(engine: VoucherEngine, description: String) {
    self.engine = engine
    self.backendDescription = description
  }

  /// Opens (creating if needed) the SQLite database at `path`.
  public convenience init(path: String) throws(ClientError) {
    do {
      self.init(engine: try VoucherEngine(path: path), description: path)
    } catch {
      throw Self.map(error)
    }
  }

  public func findContacts(_ query: String, limit: Int) async throws(ClientError) -> [Customer] {
    try await perform { [engine] in try engine.findCustomers(query, limit: limit) }
  }

  public func findContacts(_ query: String, limit: Int, offset: Int) async throws(ClientError)
    -> (contacts: [Customer], total: Int?)
  {
    let found = try await perform { [engine] in
      try engine.findCustomers(query, limit: limit, offset: offset)
    }
    return (found.customers, found.total)
  }

  public func contact(_ reference: String) async throws(ClientError) -> Customer? {
    try await perform { [engine] in try engine.customer(reference) }
  }

  public func vouchers(of customerId: String, filter: VoucherFilter, page: Int, limit: Int)
    async throws(ClientError) -> VoucherPage
  {
    try await perform { [engine] in
      try engine.vouchers(of: customerId, filter: filter, page: page, limit: limit)
    }
  }

  public func voucher(code: String) async throws(ClientError) -> Voucher? {
    try await perform { [engine] in try engine.voucher(code: code) }
  }

  public func validate(_ request: RedemptionRequest) async throws(ClientError) -> ValidationResult {
    try await perform { [engine] in try engine.validate(request) }
  }

  public var capabilities: BackendCapabilities { .engine }

  public func redeem(_ attempt: RedeemAttempt, deadline: Date) async throws(ClientError)
    -> RedeemOutcome
  {
    try await perform(deadline: deadline, orderSourceId: attempt.orderSourceId) {
      [engine] in try engine.redeem(attempt.request, idempotencyKey: attempt.key)
    }
  }

  /// The fence, in this process: ordered with the attempt's redeem by the database's write
  /// lock, so a redeem stalled on a slow disk is either seen as made or refused later.
  public func resolve(_ attempt: RedeemAttempt) async throws(ClientError) -> AttemptResolution {
    try await perform { [engine] in
      switch try engine.closeAttempt(key: attempt.key) {
      case .made(let redemption): .made(redemption)
      case .closed: .notMade
      }
    }
  }

  public func redemptions(ofOrder orderSourceId: String) async throws(ClientError) -> [Redemption] {
    try await perform { [engine] in
      try engine.redemptions(RedemptionQuery(orderSourceId: orderSourceId))
    }
  }

  public func sales(terminal: String, from start: Date, to end: Date) async throws(ClientError)
    -> [Redemption]
  {
    var query = RedemptionQuery(limit: 1000)
    query.terminal = terminal
    query.createdAfter = start.addingTimeInterval(-0.001)
    query.createdBefore = end
    return try await perform { [engine, query] in try engine.redemptions(query) }
  }

  public func checkStaffPIN(name: String, pin: String) async throws(ClientError)
    -> StaffPINCheck
  {
    try await perform { [engine] in
      do {
        return try engine.verifyStaffPIN(name: name, pin: pin).map { .accepted($0) } ?? .refused
      } catch let locked as StaffLockedOutError {
        return .lockedOut(until: locked.until)
      }
    }
  }

  public func history(code: String) async throws(ClientError) -> [VoucherHistoryEntry]? {
    try await perform { [engine] in try engine.history(code: code) }
  }

  public func void(redemptionId: String, reason: String, by: String?) async throws(ClientError)
    -> [Rollback]
  {
    try await perform { [engine] in
      try engine.rollback(redemptionId: redemptionId, reason: reason, by: by)
    }
  }

  public func reactivate(code: String, reason: String, by: String?) async throws(ClientError)
    -> Rollback
  {
    try await perform { [engine] in try engine.reactivate(code: code, reason: reason, by: by) }
  }

  public func isReachable() async -> Bool {
    (try? await perform { [engine] in try engine.isEmpty() }) != nil
  }

  /// Runs `work` on a global queue. With a deadline, the caller gets `.outcomeUnknown` when
  /// the deadline passes first; the work itself runs on to its own end (a commit in flight
  /// is never torn), and a later `resolve` either sees its result or closes it first.
  private func perform<T: Sendable>(
    deadline: Date? = nil, orderSourceId: String = "", _ work: @escaping @Sendable () throws -> T
  ) async throws(ClientError) -> T {
    let result: Result<T, ClientError> = await withCheckedContinuation { continuation in
      let once = ResumeOnce(continuation)
      DispatchQueue.global(qos: .userInitiated).async {
        do {
          once.resume(.success(try work()))
        } catch {
          once.resume(.failure(Self.map(error)))
        }
      }
      if let deadline {
        let delay = max(0, deadline.timeIntervalSinceNow)
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) {
          once.resume(.failure(.outcomeUnknown(orderSourceId: orderSourceId)))
        }
      }
    }
    return try result.get()
  }

  static func map(_ error: any Error) -> ClientError {
    switch error {
    case let refusal as Refusal: .rejected(refusal)
    case let reason as Reason: .rejected(Refusal(code: nil, reason: reason))
    case let error as StoreError: .backendFailed(error.description)
    case let error as SQLiteError: .backendFailed(error.description)
    default: .backendFailed("\(error)")
    }
  }
}

/// Resumes a continuation with the first result only: the work and the deadline race.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
  private var continuation: CheckedContinuation<Result<T, ClientError>, Never>?
  private let lock = NSLock()

  init(_ continuation: CheckedContinuation<Result<T, ClientError>, Never>) {
    self.continuation = continuation
  }

  func resume(_ result: Result<T, ClientError>) {
    lock.lock()
    let pending = continuation
    continuation = nil
    lock.unlock()
    pending?.resume(returning: result)
  }
}
