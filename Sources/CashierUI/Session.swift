import Foundation
import VoucherClient
import VoucherEngine

/// Who may do what at the till.
public enum Role: String, Sendable, CaseIterable {
  case cashier, support
}

/// Where the till learnt the role it works in: a flag proves nothing, so support work on
/// a local database waits for a staff PIN, and a server's word replaces the flag.
public enum RoleSource: Equatable, Sendable {
  /// `--role` alone: cashier work, or support work once a PIN is given (local database).
  case flag
  /// A support member's PIN was accepted this session.
  case staffPIN
  /// A remote back end whose key's role has not been told yet.
  case askingServer
  /// The server reported the key's role.
  case server(APIRole)
  /// The back end has no way to say; the flag's role is used and the server decides.
  case notReported
}

/// What stays fixed while the program runs: the backend, the till and who is at it.
public struct Session: Equatable, Sendable {
  /// The file path or endpoint URL the status bar shows.
  public var backend: String
  /// Demo mode: a throwaway database; the status bar says DEMO.
  public var isDemo: Bool
  public var terminal: String
  public var cashier: String
  public var role: Role
  /// Seconds a redeem may take before its outcome is checked instead.
  public var redeemTimeout: TimeInterval
  /// Shown until a validation names the vouchers' own currency.
  public var currency: String
  public var timeZone: TimeZone
  /// Makes order ids unique across runs of the same terminal (a UUID prefix).
  public var saleTag: String
  /// True when the backend is a REST endpoint: the status bar then says whether it answers.
  public var isRemote = false
  /// Whether the endpoint answered its latest health check; nil before the first one.
  public var backendAnswers: Bool?
  /// A sale whose subtotal is above this (minor units) asks before it is redeemed: a
  /// price typed with two zeros too many is caught at the till.
  public var maxSale: Int64 = 100_000_000
  /// How long after a sale a cashier may still void it (this till's last sale only);
  /// support may void any.
  public var voidWindow: TimeInterval = 600
  /// What the back end can do: the screens offer only that, and say so.
  public var capabilities = BackendCapabilities.engine
  /// How `role` is known.
  public var roleSource = RoleSource.flag

  /// Support work asks a staff PIN first: `--role support` on a local database.
  public var needsStaffPIN: Bool { role == .support && roleSource == .flag && !isRemote }

  /// The role for the status bar: the server's word when it gave one, and never a support
  /// role that nothing has proved. Short, so the back end's name keeps its room at 80
  /// columns: "?" marks a role no back end has confirmed (README, "Support at the till").
  public var roleLabel: String {
    switch roleSource {
    case .flag: role == .support && !isRemote ? "support, no PIN" : role.rawValue
    case .staffPIN: "support"
    case .askingServer: "role …"
    case .server(let reported): reported.rawValue
    case .notReported: "\(role.rawValue)?"
    }
  }

  /// Takes the role a server reported: admin keys may do support work too.
  public mutating func take(_ reported: APIRole?) {
    guard let reported else {
      roleSource = .notReported
      return
    }
    roleSource = .server(reported)
    role = reported >= .support ? .support : .cashier
  }

  public init(
    backend: String, isDemo: Bool = false, terminal: String = "T01", cashier: String = "cashier",
    role: Role = .cashier, redeemTimeout: TimeInterval = 60, currency: String = "SEK",
    timeZone: TimeZone = .current, saleTag: String
  ) {
    self.backend = backend
    self.isDemo = isDemo
    self.terminal = terminal
    self.cashier = cashier
    self.role = role
    self.redeemTimeout = redeemTimeout
    self.currency = currency
    self.timeZone = timeZone
    self.saleTag = saleTag
  }

  /// The transaction id of sale number `number`: sent as the order's source id, so a
  /// redeem repeated for the same sale can never count twice.
  public func orderId(sale number: Int) -> String {
    let digits = String(number)
    return
      "\(terminal)-\(saleTag)-\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits)"
  }
}

extension BackendCapabilities {
  /// Commands this back end cannot carry out: the footer does not offer them (the key
  /// still says why, if pressed).
  var unavailableCommands: Set<Command> {
    var commands: Set<Command> = []
    if !listsDaysSales { commands.insert(.daysSales) }
    if unRedeem == .none { commands.insert(.reactivate) }
    return commands
  }
}
