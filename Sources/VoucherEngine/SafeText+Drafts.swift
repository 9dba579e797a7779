extension SafeText {
  /// Refuses a customer draft with a control character in any field, naming the field.
  ///
  /// - Throws: `Refusal` with `.invalidPayload`.
  public static func check(draft: CustomerDraft) throws {
    try check(draft.sourceId, field: "source_id")
    try check(draft.name, field: "name")
    try check(draft.email, field: "email")
    try check(draft.phone, field: "phone")
    try check(draft.memberNumber, field: "member_number")
    try check(draft.id, field: "id")
    try check(draft.description, field: "description", allowingLineBreaks: true)
    try check(draft.birthdate, field: "birthdate")
    try check(draft.birthday, field: "birthday")
    try check(metadata: draft.address, field: "address")
    try check(metadata: draft.metadata)
  }

  /// Refuses a voucher draft with a control character in any text field, naming the field.
  /// (The code's alphabet is checked where the code is made.)
  ///
  /// - Throws: `Refusal` with `.invalidPayload`.
  public static func check(draft: VoucherDraft) throws {
    try check(draft.code?.trimmingSpaces(), field: "code")
    try check(draft.codePattern, field: "code pattern")
    try check(draft.campaign, field: "campaign")
    try check(draft.holder, field: "customer")
    try check(draft.currency, field: "currency")
    try check(draft.category, field: "category")
    try check(draft.categoryId, field: "category_id")
    try check(draft.campaignId, field: "campaign_id")
    try check(draft.additionalInfo, field: "additional_info", allowingLineBreaks: true)
    for (index, product) in draft.applicableTo.enumerated() {
      try check(product, field: "applicable_to[\(index)]")
    }
    for (index, product) in draft.inapplicableTo.enumerated() {
      try check(product, field: "inapplicable_to[\(index)]")
    }
    try check(metadata: draft.metadata)
  }

  /// Refuses a validation or redemption request with a control character in a code, the
  /// customer, the order id, a product id or the channel.
  ///
  /// - Throws: `Refusal` with `.invalidPayload`.
  public static func check(request: RedemptionRequest) throws {
    // Names of fields are made only for a refusal (this runs on every validation), and
    // text is trimmed only when it holds a control character at all.
    for (index, entry) in request.codes.enumerated() where firstControl(in: entry.code) != nil {
      // Trimmed first: a scanner ends a code with Enter.
      try check(entry.code.trimmingSpaces(), field: "redeemables[\(index)].id")
    }
    if let customer = request.customer, firstControl(in: customer) != nil {
      try check(customer.trimmingSpaces(), field: "customer")
    }
    try check(request.orderSourceId, field: "order.id")
    for (index, item) in request.items.enumerated() {
      try check(item.sku, field: "order.items[\(index)].product_id")
    }
    try check(request.channel.terminal, field: "channel terminal")
    try check(request.channel.cashier, field: "channel cashier")
  }
}
