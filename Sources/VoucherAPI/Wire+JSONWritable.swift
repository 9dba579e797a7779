import Foundation
import VoucherEngine

// The hot routes' wire types writing themselves (see `JSONWritable`). Members are in
// declaration order; each name is the type's CodingKeys raw value. The streaming encoder's
// tests check what `WireFormat.encode` sends for every wire type against `JSONEncoder`'s
// output of its synthesized `Encodable`, so a field added to a type and forgotten here fails
// a test.

extension WireDiscount: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("type", type)
      json.fieldIfPresent("percent_off", percentOff)
      json.fieldIfPresent("amount_limit", amountLimit)
      json.fieldIfPresent("amount_off", amountOff)
      json.fieldIfPresent("fixed_amount", fixedAmount)
      json.fieldIfPresent("effect", effect)
      json.fieldIfPresent("aggregated_amount_limit", aggregatedAmountLimit)
    }
  }
}

extension WireValidityTimeframe: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.fieldIfPresent("duration", duration)
      json.fieldIfPresent("interval", interval)
    }
  }
}

extension WireValidityHours: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in json.fieldIfPresent("daily", daily) }
  }
}

extension WireValidityHours.Daily: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.fieldIfPresent("start_time", startTime)
      json.fieldIfPresent("days_of_week", daysOfWeek)
      json.fieldIfPresent("expiration_time", expirationTime)
    }
  }
}

extension WireGift: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("amount", amount)
      json.fieldIfPresent("balance", balance)
      json.fieldIfPresent("effect", effect)
    }
  }
}

extension WireVoucherRedemption: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.fieldOrNull("quantity", quantity)
      json.fieldIfPresent("redeemed_quantity", redeemedQuantity)
      json.fieldIfPresent("per_customer", perCustomer)
      json.fieldIfPresent("object", object)
      json.fieldIfPresent("url", url)
    }
  }
}

extension WireReactivation: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("limit", limit)
      json.fieldIfPresent("count", count)
    }
  }
}

extension WireRules: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.fieldIfPresent("min_order_amount", minOrderAmount)
      json.fieldIfPresent("applicable_to", applicableTo)
      json.fieldIfPresent("inapplicable_to", inapplicableTo)
    }
  }
}

extension WireVoucher: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("id", id)
      json.field("code", code)
      json.fieldOrNull("campaign", campaign)
      json.fieldOrNull("campaign_id", campaignId)
      json.field("type", type)
      json.fieldOrNull("discount", discount)
      json.fieldOrNull("gift", gift)
      json.fieldOrNull("start_date", startDate)
      json.fieldOrNull("expiration_date", expirationDate)
      json.field("active", active)
      json.field("metadata", metadata)
      json.field("created_at", createdAt)
      json.fieldIfPresent("updated_at", updatedAt)
      json.fieldOrNull("holder_id", holderId)
      json.field("object", object)
      json.field("redemption", redemption)
      json.field("currency", currency)
      json.fieldIfPresent("status", status)
      json.field("reactivation", reactivation)
      json.field("rules", rules)
      json.fieldOrNull("category", category)
      json.fieldOrNull("category_id", categoryId)
      json.fieldOrNull("additional_info", additionalInfo)
      json.fieldOrNull("validity_timeframe", validityTimeframe)
      json.fieldOrNull("validity_day_of_week", validityDayOfWeek)
      json.fieldOrNull("validity_hours", validityHours)
    }
  }
}

extension WireVoucherList: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("object", object)
      json.field("data_ref", dataRef)
      json.field("vouchers", vouchers)
      json.field("total", total)
      json.fieldIfPresent("page", page)
      json.fieldIfPresent("limit", limit)
      json.fieldIfPresent("counts", counts)
    }
  }
}

extension APIError: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("code", code)
      json.field("key", key)
      json.field("message", message)
      json.fieldOrNull("details", details)
      json.fieldOrNull("request_id", requestId)
      json.fieldIfPresent("resource_type", resourceType)
      json.fieldIfPresent("resource_id", resourceId)
      json.fieldIfPresent("context", context)
    }
  }
}

// MARK: Validation

extension WireStackingRules: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("redeemables_limit", redeemablesLimit)
      json.field("applicable_redeemables_limit", applicableRedeemablesLimit)
      json.field(
        "applicable_redeemables_per_category_limit", applicableRedeemablesPerCategoryLimit)
      json.field("applicable_exclusive_redeemables_limit", applicableExclusiveRedeemablesLimit)
      json.field(
        "applicable_exclusive_redeemables_per_category_limit",
        applicableExclusiveRedeemablesPerCategoryLimit)
      json.field("exclusive_categories", exclusiveCategories)
      json.field("joint_categories", jointCategories)
      json.field("redeemables_application_mode", redeemablesApplicationMode)
      json.field("redeemables_sorting_rule", redeemablesSortingRule)
      json.field("redeemables_products_application_mode", redeemablesProductsApplicationMode)
      json.field("redeemables_no_effect_rule", redeemablesNoEffectRule)
      json.field("no_effect_skip_categories", noEffectSkipCategories)
      json.field("no_effect_redeem_anyway_categories", noEffectRedeemAnywayCategories)
      json.field("redeemables_rollback_order_mode", redeemablesRollbackOrderMode)
    }
  }
}

extension WireRedeemableOutcome: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.fieldIfPresent("discount", discount)
      json.fieldIfPresent("gift", gift)
      json.fieldIfPresent("error", error)
    }
  }
}

extension WireRedemptionGiftResult: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("balance", balance)
      json.field("credits", credits)
    }
  }
}

extension WireRedeemableResult: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("status", status)
      json.field("id", id)
      json.field("object", object)
      json.field("result", result)
      json.fieldIfPresent("voucher", voucher)
      json.field("discount_amount", discountAmount)
      json.field("gift_credits", giftCredits)
    }
  }
}

extension WireValidation: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("valid", valid)
      json.field("redeemables", redeemables)
      json.field("order", order)
      json.field("stacking_rules", stackingRules)
      json.field("currency", currency)
      json.fieldIfPresent("customer", customer)
      json.fieldIfPresent("session", session)
    }
  }
}

extension WireSession: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.fieldIfPresent("key", key)
      json.fieldIfPresent("type", type)
      json.fieldIfPresent("ttl", ttl)
      json.fieldIfPresent("ttl_unit", ttlUnit)
    }
  }
}

extension WireOrderItem: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.fieldIfPresent("product_id", productId)
      json.fieldIfPresent("sku_id", skuId)
      json.fieldIfPresent("source_id", sourceId)
      json.fieldIfPresent("quantity", quantity)
      json.fieldIfPresent("price", price)
      json.fieldIfPresent("amount", amount)
      json.fieldIfPresent("object", object)
    }
  }
}

extension WireOrder: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.fieldIfPresent("id", id)
      json.fieldIfPresent("source_id", sourceId)
      json.fieldIfPresent("amount", amount)
      json.fieldIfPresent("discount_amount", discountAmount)
      json.fieldIfPresent("total_discount_amount", totalDiscountAmount)
      json.fieldIfPresent("applied_discount_amount", appliedDiscountAmount)
      json.fieldIfPresent("total_applied_discount_amount", totalAppliedDiscountAmount)
      json.fieldIfPresent("total_amount", totalAmount)
      json.fieldIfPresent("gift_credits", giftCredits)
      json.fieldIfPresent("items", items)
      json.fieldIfPresent("object", object)
      json.fieldIfPresent("customer_id", customerId)
      json.fieldIfPresent("status", status)
      json.fieldIfPresent("metadata", metadata)
    }
  }
}

// MARK: Customers

extension WireCustomer: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("id", id)
      json.fieldOrNull("source_id", sourceId)
      json.fieldOrNull("name", name)
      json.fieldOrNull("email", email)
      json.fieldOrNull("phone", phone)
      json.fieldOrNull("member_number", memberNumber)
      json.fieldOrNull("description", description)
      json.fieldOrNull("address", address)
      json.fieldOrNull("birthdate", birthdate)
      json.field("metadata", metadata)
      json.field("created_at", createdAt)
      json.fieldIfPresent("updated_at", updatedAt)
      json.field("object", object)
      json.fieldIfPresent("summary", summary)
      json.fieldIfPresent("loyalty", loyalty)
      json.fieldIfPresent("referrals", referrals)
    }
  }
}

extension WireCustomer.Summary: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("redemptions", redemptions)
      json.field("orders", orders)
    }
  }
}

extension WireCustomer.Summary.Redemptions: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("total_redeemed", totalRedeemed)
      json.field("total_failed", totalFailed)
      json.field("total_succeeded", totalSucceeded)
      json.field("total_rolled_back", totalRolledBack)
      json.field("total_rollback_failed", totalRollbackFailed)
      json.field("total_rollback_succeeded", totalRollbackSucceeded)
      json.field("gift", gift)
      json.field("loyalty_card", loyaltyCard)
    }
  }
}

extension WireCustomer.Summary.Gift: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("redeemed_amount", redeemedAmount)
      json.field("amount_to_go", amountToGo)
    }
  }
}

extension WireCustomer.Summary.LoyaltyCard: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("redeemed_points", redeemedPoints)
      json.field("points_to_go", pointsToGo)
    }
  }
}

extension WireCustomer.Summary.Orders: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("total_amount", totalAmount)
      json.field("total_count", totalCount)
      json.field("average_amount", averageAmount)
      json.field("last_order_amount", lastOrderAmount)
    }
  }
}

extension WireCustomer.Loyalty: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("points", points)
      json.field("referred_customers", referredCustomers)
      json.field("campaigns", campaigns)
    }
  }
}

extension WireCustomer.Referrals: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("total", total)
      json.field("campaigns", campaigns)
    }
  }
}

extension WireCustomerRedeemable: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("id", id)
      json.field("created_at", createdAt)
      json.field("redeemable_id", redeemableId)
      json.field("redeemable_object", redeemableObject)
      json.field("customer_id", customerId)
      json.field("holder_role", holderRole)
      json.fieldOrNull("campaign_id", campaignId)
      json.field("campaign_type", campaignType)
      json.field("voucher_type", voucherType)
      json.field("redeemable", redeemable)
      json.field("object", object)
    }
  }
}

extension WireCustomerRedeemable.Redeemable: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("type", type)
      json.field("voucher", voucher)
      json.field("status", status)
    }
  }
}

extension WireCustomerRedeemableList: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("object", object)
      json.field("data_ref", dataRef)
      json.field("data", data)
      json.field("total", total)
      json.field("has_more", hasMore)
    }
  }
}

// MARK: Redemptions

extension WireVoucherReference: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("id", id)
      json.field("code", code)
      json.field("object", object)
    }
  }
}

extension WireCustomerSummary: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("id", id)
      json.field("object", object)
    }
  }
}

extension WireChannel: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.fieldOrNull("channel_id", channelId)
      json.field("channel_type", channelType)
      json.fieldIfPresent("terminal", terminal)
      json.fieldIfPresent("cashier", cashier)
    }
  }
}

extension WireRedemptionGift: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("amount", amount)
      json.fieldIfPresent("balance", balance)
    }
  }
}

extension WireRelatedRedemptions: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in json.field("redemptions", redemptions) }
  }
}

extension WireRedemption: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("id", id)
      json.field("object", object)
      json.field("date", date)
      json.fieldOrNull("customer_id", customerId)
      json.fieldOrNull("tracking_id", trackingId)
      json.field("metadata", metadata)
      json.field("amount", amount)
      json.fieldOrNull("redemption", redemption)
      json.field("result", result)
      json.field("status", status)
      json.field("order", order)
      json.field("channel", channel)
      json.fieldOrNull("customer", customer)
      json.field("related_object_type", relatedObjectType)
      json.field("related_object_id", relatedObjectId)
      json.fieldIfPresent("voucher", voucher)
      json.fieldIfPresent("gift", gift)
      json.fieldIfPresent("related_redemptions", relatedRedemptions)
      json.fieldIfPresent("rollback_id", rollbackId)
      json.fieldIfPresent("parent_redemption_id", parentRedemptionId)
    }
  }
}

extension WireRedeemResponse: JSONWritable {
  func writeJSON(to json: inout JSONOutput) {
    json.object { json in
      json.field("redemptions", redemptions)
      json.fieldIfPresent("parent_redemption", parentRedemption)
      json.field("order", order)
      json.field("inapplicable_redeemables", inapplicableRedeemables)
      json.field("skipped_redeemables", skippedRedeemables)
      json.field("replayed", replayed)
    }
  }
}
