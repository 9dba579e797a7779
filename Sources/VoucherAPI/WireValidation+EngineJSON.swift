import Foundation
import VoucherEngine

// The validation answer written straight from the engine's result.
//
// `WireValidation(result, request:)` and then its `writeJSON` cost a third of the server's
// instructions per validation: the wire tree is a deep copy of the result (every date turned
// into a `String`, the voucher and customer copied field by field) that is written once and
// thrown away. Here the same members are written in the same order from the engine's values,
// with the wire types' own small pieces (discount, outcome, order lines) reused as they are,
// and the pieces that never change (stacking rules, a customer's empty loyalty summary)
// written once and copied. A test compares the bytes with
// `WireFormat.encode(WireValidation(result, request:))` for every kind of code, refusal and
// customer; a member added to a wire type and not here fails it.

extension WireValidation {
  /// `WireFormat.encode(WireValidation(result, request: request))`, byte for byte.
  public static func json(_ result: ValidationResult, request: RedemptionRequest) -> Data {
    var json = JSONOutput()
    json.object { json in
      json.field("valid", result.valid)
      json.field("redeemables") { json in
        json.array(result.redeemables) { json, entry in
          writeRedeemable(entry, currency: result.currency, to: &json)
        }
      }
      json.field("order") { json in writeOrder(result, request: request, to: &json) }
      json.field("stacking_rules", Prewritten.stackingRules)
      json.field("currency", result.currency)
      if let customer = result.customer {
        json.field("customer") { json in writeCustomer(customer, to: &json) }
      }
      json.fieldIfPresent("session", result.session.map(WireSession.init))
    }
    return json.data()
  }

  /// As `WireRedeemableResult.init(_:currency:)` and its `writeJSON`.
  private static func writeRedeemable(
    _ entry: RedeemableResult, currency: String, to json: inout JSONOutput
  ) {
    json.object { json in
      json.field("status", WireRedeemableResult.status(entry))
      json.field("id", entry.code)
      json.field("object", "voucher")
      json.field("result", WireRedeemableOutcome(entry, currency: currency))
      if let voucher = entry.voucher {
        json.field("voucher") { json in writeVoucher(voucher, status: entry.status, to: &json) }
      }
      json.field("discount_amount", entry.discount)
      json.field("gift_credits", entry.giftCredits)
    }
  }

  /// As `WireVoucher.init(_:status:)` and its `writeJSON`.
  private static func writeVoucher(
    _ voucher: Voucher, status: VoucherStatus?, to json: inout JSONOutput
  ) {
    json.object { json in
      json.field("id", voucher.id)
      json.field("code", voucher.code)
      json.fieldOrNull("campaign", voucher.campaign)
      json.fieldOrNull("campaign_id", voucher.campaignId)
      json.field("type", voucher.kind.typeName)
      switch voucher.kind {
      case .discount(let discount):
        var wire = WireDiscount(discount)
        if let limit = voucher.aggregatedAmountLimit { wire.aggregatedAmountLimit = Decimal(limit) }
        json.field("discount", wire)
        json.fieldOrNull("gift", WireGift?.none)
      case .gift(let amount, let balance):
        json.fieldOrNull("discount", WireDiscount?.none)
        json.field("gift", WireGift(amount: amount, balance: balance, effect: "APPLY_TO_ORDER"))
      }
      dateOrNull("start_date", voucher.startDate, &json)
      dateOrNull("expiration_date", voucher.expirationDate, &json)
      json.field("active", voucher.active)
      json.field("metadata", voucher.metadata)
      json.field("created_at") { json in json.date(voucher.createdAt) }
      json.field("updated_at") { json in json.date(voucher.updatedAt) }
      json.fieldOrNull("holder_id", voucher.holderId)
      json.field("object", "voucher")
      json.field("redemption") { json in
        json.object { json in
          json.fieldOrNull("quantity", voucher.quantity)
          json.field("redeemed_quantity", voucher.redeemedQuantity)
          json.fieldIfPresent("per_customer", voucher.perCustomer)
          json.field("object", "list")
          json.field("url") { json in json.string("/v1/vouchers/", voucher.code, "/redemption") }
        }
      }
      json.field("currency", voucher.currency)
      json.fieldIfPresent("status", status)
      json.field("reactivation") { json in
        json.object { json in
          json.field("limit", voucher.reactivationLimit)
          json.field("count", voucher.reactivationCount)
        }
      }
      json.field("rules") { json in
        json.object { json in
          json.fieldIfPresent("min_order_amount", voucher.minOrderAmount)
          json.field("applicable_to", voucher.applicableTo)
          json.field("inapplicable_to", voucher.inapplicableTo)
        }
      }
      json.fieldOrNull("category", voucher.category)
      json.fieldOrNull("category_id", voucher.categoryId)
      json.fieldOrNull("additional_info", voucher.additionalInfo)
      json.fieldOrNull(
        "validity_timeframe",
        voucher.validity.timeframe.map {
          WireValidityTimeframe(duration: $0.duration, interval: $0.interval)
        })
      json.fieldOrNull("validity_day_of_week", voucher.validity.daysOfWeek)
      json.fieldOrNull("validity_hours", voucher.validity.hours.map(WireValidityHours.init))
    }
  }

  /// As `WireOrder.init(_:request:)` and its `writeJSON`.
  private static func writeOrder(
    _ result: ValidationResult, request: RedemptionRequest, to json: inout JSONOutput
  ) {
    json.object { json in
      json.fieldIfPresent("source_id", request.orderSourceId)
      json.field("amount", result.orderAmount)
      json.field("discount_amount", result.discountAmount)
      json.field("total_discount_amount", result.discountAmount)
      json.field("applied_discount_amount", result.discountAmount)
      json.field("total_applied_discount_amount", result.discountAmount)
      json.field("total_amount", result.totalAmount)
      json.field("gift_credits", result.giftCredits)
      json.field("items") { json in
        json.array(request.items) { json, item in WireOrderItem(item).writeJSON(to: &json) }
      }
      json.field("object", "order")
      json.fieldIfPresent("customer_id", result.customer?.id)
    }
  }

  /// As `WireCustomer.init(_:)` and its `writeJSON`.
  private static func writeCustomer(_ customer: Customer, to json: inout JSONOutput) {
    json.object { json in
      json.field("id", customer.id)
      json.fieldOrNull("source_id", customer.sourceId)
      json.fieldOrNull("name", customer.name)
      json.fieldOrNull("email", customer.email)
      json.fieldOrNull("phone", customer.phone)
      json.fieldOrNull("member_number", customer.memberNumber)
      json.fieldOrNull("description", customer.description)
      json.fieldOrNull("address", customer.address)
      json.fieldOrNull("birthdate", customer.birthdate)
      json.field("metadata", customer.metadata)
      json.field("created_at") { json in json.date(customer.createdAt) }
      json.field("updated_at") { json in json.date(customer.updatedAt) }
      json.field("object", "customer")
      json.field("summary", Prewritten.summary)
      json.field("loyalty", Prewritten.loyalty)
      json.field("referrals", Prewritten.referrals)
    }
  }

  private static func dateOrNull(_ name: StaticString, _ date: Date?, _ json: inout JSONOutput) {
    if let date {
      json.field(name) { json in json.date(date) }
    } else {
      json.fieldOrNull(name, String?.none)
    }
  }
}

/// Members every validation answer has the same.
private enum Prewritten {
  static let stackingRules = PrewrittenJSON(WireStackingRules())
  static let summary = PrewrittenJSON(WireCustomer.Summary())
  static let loyalty = PrewrittenJSON(WireCustomer.Loyalty())
  static let referrals = PrewrittenJSON(WireCustomer.Referrals())
}
