import Foundation
import VoucherEngine

/// `GET /v1/me` (our extension): the key the request was made with, so that a till shows
/// the role the server grants rather than the one it was started with.
public struct WireCaller: Codable, Sendable, Equatable {
  public var object = "api_key"
  public var name: String
  /// `cashier`, `support` or `admin`.
  public var role: String

  public init(name: String, role: String) {
    self.name = name
    self.role = role
  }
}

/// `GET /v1/vouchers/{code}/history` (our extension): every use of a voucher and every use
/// given back, newest first, for the till's voucher detail.
public struct WireVoucherHistory: Codable, Sendable, Equatable {
  public var object = "list"
  public var dataRef = "history"
  public var code: String
  public var history: [Entry]

  enum CodingKeys: String, CodingKey {
    case object, code, history
    case dataRef = "data_ref"
  }

  /// One use (`redeemed`) or one use given back (`given_back`).
  public struct Entry: Codable, Sendable, Equatable {
    public var kind: String
    public var createdAt: String
    public var terminal: String?
    public var who: String?
    public var why: String?
    /// Minor units.
    public var amount: Int64
    public var order: String?

    enum CodingKeys: String, CodingKey {
      case kind, terminal, who, why, amount, order
      case createdAt = "created_at"
    }
  }

  public init(code: String, _ entries: [VoucherHistoryEntry]) {
    self.code = code
    history = entries.map { entry in
      Entry(
        kind: entry.kind == .redeemed ? "redeemed" : "given_back",
        createdAt: WireFormat.date(entry.date), terminal: entry.terminal, who: entry.who,
        why: entry.why, amount: entry.amount, order: entry.order)
    }
  }

  /// The engine's entries, or nil when one of them says something it may not.
  public func engineValue() -> [VoucherHistoryEntry]? {
    var entries: [VoucherHistoryEntry] = []
    for entry in history {
      let kind: VoucherHistoryEntry.Kind
      switch entry.kind {
      case "redeemed": kind = .redeemed
      case "given_back": kind = .givenBack
      default: return nil
      }
      guard let date = WireFormat.date(from: entry.createdAt) else { return nil }
      entries.append(
        VoucherHistoryEntry(
          kind: kind, date: date, terminal: entry.terminal, who: entry.who, why: entry.why,
          amount: entry.amount, order: entry.order))
    }
    return entries
  }
}
