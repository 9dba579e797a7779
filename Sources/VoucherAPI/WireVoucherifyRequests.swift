import Foundation
import VoucherEngine

/// `POST /v1/vouchers/{code}/validate` and `/redemption`: one code, its context in the body.
public struct WireSingleRequest: Codable, Sendable, Equatable {
  public var customer: WireCustomerReference?
  public var order: WireOrder?
  public var session: WireSession?
  public var gift: WireRedeemableRequest.Gift?
  public var trackingId: String?
  public var channel: WireChannelInput?

  enum CodingKeys: String, CodingKey {
    case customer, order, session, gift, channel
    case trackingId = "tracking_id"
  }

  /// The engine's request for `code`; an order-less body is a zero cart.
  public func engineValue(code: String, cashier: String?) throws(APIError) -> RedemptionRequest {
    var request = try WireRedemptionRequest(
      redeemables: [WireRedeemableRequest(code: code, giftCredits: gift?.credits)],
      customer: customer, order: order ?? WireOrder(amount: 0), channel: channel,
      session: session
    ).engineValue(cashier: cashier)
    if request.customer == nil, let trackingId { request.customer = trackingId }
    return request
  }
}

extension WireRedemptionRequest {
  /// A request of these parts.
  public init(
    redeemables: [WireRedeemableRequest], customer: WireCustomerReference?, order: WireOrder?,
    channel: WireChannelInput?, session: WireSession?
  ) {
    self.redeemables = redeemables
    self.customer = customer
    self.order = order
    self.channel = channel
    self.session = session
  }
}

/// The answer of `POST /v1/vouchers/{code}/validate`: Voucherify's valid or invalid body.
public struct WireSingleValidation: Codable, Sendable, Equatable {
  public var valid: Bool
  public var code: String
  @NullEncoded public var trackingId: String?
  public var metadata = JSONValue.emptyObject
  public var applicableTo: EmptyList?
  public var inapplicableTo: EmptyList?
  public var discount: WireDiscount?
  public var gift: Gift?
  public var order: WireOrder?
  public var campaign: String?
  public var campaignId: String?
  public var session: WireSession?
  public var reason: String?
  public var error: APIError?
  public var customerId: String?

  /// Voucherify's product lists: this server keeps product rules in `rules` (ours).
  public struct EmptyList: Codable, Sendable, Equatable {
    public var object = "list"
    public var dataRef = "data"
    public var data: [JSONValue] = []
    public var total = 0

    enum CodingKeys: String, CodingKey {
      case object, data, total
      case dataRef = "data_ref"
    }
  }

  /// A gift card's balance and the credits the validation would spend.
  public struct Gift: Codable, Sendable, Equatable {
    public var balance: Int64?
    public var credits: Int64?
  }

  enum CodingKeys: String, CodingKey {
    case valid, code, metadata, discount, gift, order, campaign, session, reason, error
    case trackingId = "tracking_id"
    case applicableTo = "applicable_to"
    case inapplicableTo = "inapplicable_to"
    case campaignId = "campaign_id"
    case customerId = "customer_id"
  }

  public init(_ result: ValidationResult, request: RedemptionRequest) {
    let entry = result.redeemables[0]
    valid = result.valid
    code = entry.voucher?.code ?? entry.code
    trackingId = result.customer?.sourceId ?? result.customer?.id
    customerId = result.customer?.id
    if let reason = entry.refusal {
      let error = APIError(Refusal(code: entry.code, reason: reason), currency: result.currency)
      self.reason = error.message
      self.error = error
      return
    }
    applicableTo = EmptyList()
    inapplicableTo = EmptyList()
    switch entry.voucher?.kind {
    case .discount(let value)?:
      var wire = WireDiscount(value)
      if let limit = entry.voucher?.aggregatedAmountLimit {
        wire.aggregatedAmountLimit = Decimal(limit)
      }
      discount = wire
    case .gift(_, let balance)?:
      gift = Gift(balance: balance, credits: entry.giftCredits)
    case nil: break
    }
    order = WireOrder(result, request: request)
    campaign = entry.voucher?.campaign
    campaignId = entry.voucher?.campaignId
    session = result.session.map(WireSession.init)
  }
}

/// `POST /v1/qualifications`.
public struct WireQualificationRequest: Codable, Sendable, Equatable {
  public var customer: WireCustomerReference?
  public var order: WireOrder?
  public var trackingId: String?
  public var scenario: String?
  public var options: Options?

  public struct Options: Codable, Sendable, Equatable {
    public var limit: Int?
    /// The cursor: the id (code) of the last redeemable of the previous page.
    public var startingAfter: String?

    enum CodingKeys: String, CodingKey {
      case limit
      case startingAfter = "starting_after"
    }
  }

  enum CodingKeys: String, CodingKey {
    case customer, order, scenario, options
    case trackingId = "tracking_id"
  }
}
