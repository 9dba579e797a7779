/// Failures of the store itself (not refusals by a rule).
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
  case cannotOpen(path: String, detail: String)
  case newerSchema(found: Int, supported: Int)
  /// Another process held the database longer than the busy timeout.
  case busy
  /// Stored data could not be read back (hand-edited or damaged).
  case corrupt(String)
  /// The database server does not answer (down, restarting, unreachable); `serve` answers
  /// 503 and a later call reconnects.
  case unavailable(String)

  public var description: String {
    switch self {
    case .cannotOpen(let path, let detail): "cannot open the database \(path): \(detail)"
    case .newerSchema(let found, let supported):
      "the database was made by a newer release (schema \(found); this release knows up to \(supported))"
    case .busy: "the database is busy: another process is holding it; try again"
    case .corrupt(let detail): "stored data could not be read: \(detail)"
    case .unavailable(let detail): "the database does not answer: \(detail)"
    }
  }
}

/// A database's own error that may be a constraint's refusal. The rules turn a few of those
/// into refusals of their own (a taken email, a taken code), whichever store raised them.
protocol ConstraintReporting: Error {
  var isConstraint: Bool { get }
}

extension SQLiteError: ConstraintReporting {}
extension PostgreSQLError: ConstraintReporting {}
