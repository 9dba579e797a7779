import VoucherAPI
import VoucherEngine

extension APIRouter {
  /// What a cashier key may not read although its route allows the cashier role: the bulk,
  /// unfiltered lists. A till needs a contact found by a search and that contact's
  /// vouchers, a voucher by its code, and the redemptions of an order, a voucher, a
  /// customer or a till (the day's sales); the whole list of customers (every email and phone) or of vouchers (every
  /// gift card's code and balance) is support's.
  ///
  /// - Returns: the refusal, or nil when the caller may go on.
  static func scopeRefusal(_ request: HTTPRequest, _ segments: [String], role: APIRole)
    -> APIError?
  {
    guard role < .support, request.method == "GET", segments.count == 2, segments[0] == "v1"
    else { return nil }
    func has(_ names: [String]) -> Bool { names.contains { request.query($0) != nil } }
    switch segments[1] {
    case "customers" where !has(["q", "name", "phone", "email"]):
      return .scoped("lists customers only with a search: q, name, phone or email")
    case "vouchers" where !has(["customer", "code"]):
      return .scoped("lists vouchers only of one customer (customer=) or one code (code=)")
    case "redemptions"
    where !has([
      "order_source_id", "voucher_code", "voucher", "customer", "terminal",
      "filters[voucher_code][conditions][$is]", "filters[customer_id][conditions][$is]",
      "filters[order_source_id][conditions][$is]",
    ]):
      return .scoped("lists redemptions only of one order, voucher, customer or till")
    default:
      return nil
    }
  }
}

extension APIError {
  /// 403 for a cashier's rollback outside what a cashier may void.
  static func cashierVoid(_ rule: String) -> APIError {
    APIError(
      code: 403, key: "forbidden", message: "Forbidden",
      details: "A cashier key may void \(rule); any other void needs the support role.")
  }

  /// 403 for a cashier asking for a bulk list.
  static func scoped(_ what: String) -> APIError {
    APIError(
      code: 403, key: "forbidden", message: "Forbidden",
      details: "A cashier key \(what); the whole list needs the support role.")
  }
}
