import Foundation

/// One thing that happened to a voucher, for the till's voucher detail: a use, or a use
/// given back (a rollback or a reactivation), with when, where, who and why.
public struct VoucherHistoryEntry: Equatable, Sendable {
  public enum Kind: String, Equatable, Sendable {
    case redeemed
    /// A use given back: a rollback of the redemption, or a reactivation.
    case givenBack = "given back"
  }

  public var kind: Kind
  public var date: Date
  /// The till (redemptions only: a rollback records who, not where).
  public var terminal: String?
  /// The cashier of a redemption, or who gave a use back.
  public var who: String?
  /// Why a use was given back.
  public var why: String?
  /// Minor units: a discount given, or gift credits spent or returned.
  public var amount: Int64
  /// The order's source id (redemptions).
  public var order: String?

  public init(
    kind: Kind, date: Date, terminal: String?, who: String?, why: String?, amount: Int64,
    order: String?
  ) {
    self.kind = kind
    self.date = date
    self.terminal = terminal
    self.who = who
    self.why = why
    self.amount = amount
    self.order = order
  }
}

extension VoucherEngine {
  /// Every use of the voucher with this code and every use given back, newest first.
  ///
  /// - Throws: `Refusal` (`notFound`) when no voucher has this code.
  public func history(code: String) throws -> [VoucherHistoryEntry] {
    try store.read { store in
      guard let voucher = try store.voucher(code: code.normalizedCode) else {
        throw Refusal(code: code, reason: .notFound(code: code.normalizedCode))
      }
      var entries: [VoucherHistoryEntry] = []
      for redemption in try store.redemptions(
        matching: RedemptionQuery(code: voucher.code, limit: 1000), customerId: nil,
        voucherId: voucher.id)
      {
        entries.append(
          VoucherHistoryEntry(
            kind: .redeemed, date: redemption.date, terminal: redemption.channel.terminal,
            who: redemption.channel.cashier, why: nil, amount: redemption.amount,
            order: redemption.order.sourceId))
      }
      for rollback in try store.rollbacks(voucherId: voucher.id) {
        entries.append(
          VoucherHistoryEntry(
            kind: .givenBack, date: rollback.date, terminal: nil, who: rollback.by,
            why: rollback.reason, amount: rollback.amount, order: nil))
      }
      return entries.sorted { $0.date > $1.date }
    }
  }
}
