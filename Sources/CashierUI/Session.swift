import Foundation
import VoucherClient

/// Who may do what at the till.
public enum Role: String, Sendable, CaseIterable {
  case cashier, support
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
