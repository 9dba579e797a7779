import VoucherEngine

/// What `voucher-engine serve` answers: Voucherify's routes and fields with our extensions
/// (the default), or exactly Voucherify's surface (`--voucherify-only`), so a client can be
/// proven to need nothing of ours.
public enum APISurface: String, Sendable {
  case full
  case voucherifyOnly

  /// The extensions the full surface serves, as a client discovers them: in the
  /// `X-Voucher-Engine-Capabilities` header of every answer and in `GET /health`. A client
  /// uses an extension only when its name is here. One list: a new extension adds its name.
  ///
  /// - `fence`: `POST /v1/attempts/{key}/close`, which returns what a redeem attempt made
  ///   or closes it so that it can never land.
  /// - `idempotency`: `Idempotency-Key` on redeem and rollback (a re-sent request never
  ///   doubles).
  /// - `name-search`: `GET /v1/customers?q=` (name prefix, phone, member number, email).
  /// - `reactivate`: `POST /v1/vouchers/{code}/reactivate`, with a limit per voucher.
  /// - `health`: `GET /health` without a key.
  /// - `wallet-tabs`: `GET /v1/vouchers?customer=&status=` with the count of every tab.
  /// - `till-sales`: `GET /v1/redemptions?terminal=` (a till's sales of a day), and a
  ///   cashier key's void of its till's last sale within the server's window.
  /// - `me`: `GET /v1/me`, the key's name and role.
  /// - `voucher-history`: `GET /v1/vouchers/{code}/history`, its uses and uses given back.
  public static let capabilities = [
    "fence", "idempotency", "name-search", "reactivate", "health", "wallet-tabs", "till-sales",
    "me", "voucher-history",
  ]

  static let capabilitiesHeader = "X-Voucher-Engine-Capabilities"
  static let capabilitiesText = capabilities.joined(separator: ", ")

  /// Members of our answers that no Voucherify answer has (checked against every property
  /// name of its schemas); `currency` is only a SKU's there, and no SKU is answered here.
  static let ourMembers: Set<String> = [
    "member_number", "reactivation", "rules", "counts", "per_customer", "gift_credits",
    "replayed", "reactivations_left", "by", "terminal", "cashier", "min_order_amount", "page",
    "context", "currency",
  ]

  /// `answer` without our members, at any depth (metadata, which is the shop's, kept).
  static func withoutOurMembers(_ answer: JSONValue) -> JSONValue {
    switch answer {
    case .object(let members):
      return .object(
        members.compactMap { member in
          if member.key == "metadata" { return member }
          if ourMembers.contains(member.key) { return nil }
          return (member.key, withoutOurMembers(member.value))
        })
    case .array(let elements): return .array(elements.map(withoutOurMembers))
    default: return answer
    }
  }
}
