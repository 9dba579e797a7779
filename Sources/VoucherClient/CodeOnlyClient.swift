import VoucherEngine

/// A back end reached by voucher code alone: it keeps no contacts to look up and no
/// wallets to list (Vauchar, the plain voucher API). Its clients say so in
/// `capabilities.contactSearch` (empty) and get these answers from here.
public protocol CodeOnlyClient: VoucherClient {
  /// The back end's name in a sentence ("Vauchar", "the plain voucher API").
  var systemName: String { get }
}

extension CodeOnlyClient {
  public func findContacts(_ query: String, limit: Int) async throws(ClientError) -> [Customer] {
    []
  }

  public func contact(_ reference: String) async throws(ClientError) -> Customer? { nil }

  public func vouchers(of customerId: String, filter: VoucherFilter, page: Int, limit: Int)
    async throws(ClientError) -> VoucherPage
  {
    throw .backendFailed("\(systemName) does not list a customer's vouchers")
  }
}

extension ValidationResult {
  /// The answer for a code the back end does not know: refused, nothing off the order.
  public static func codeNotFound(_ code: String, orderAmount: Int64, currency: String = "SEK")
    -> ValidationResult
  {
    let refused = RedeemableResult.restored(
      code: code, voucher: nil, status: nil, refusal: .notFound(code: code.normalizedCode),
      discount: 0, giftCredits: 0)
    return .restored(
      valid: false, redeemables: [refused], orderAmount: orderAmount, discountAmount: 0,
      giftCredits: 0, totalAmount: orderAmount, customer: nil, currency: currency)
  }
}
