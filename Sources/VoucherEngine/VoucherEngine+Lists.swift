import Foundation

/// One change of a gift card's balance: spent by a redemption, given back by a rollback, or
/// added.
public struct VoucherTransaction: Equatable, Sendable {
  public enum Kind: String, Sendable {
    case redemption, refund, addition
  }

  /// The redemption's, rollback's or event's id.
  public var id: String
  public var kind: Kind
  /// Minor units, always positive; the kind says which way.
  public var amount: Int64
  /// The balance right after, when it is known.
  public var balanceAfter: Int64?
  public var date: Date
  /// The redemption a refund undid, or a redemption's order source id.
  public var relatedId: String?
  public var reason: String?
  public var sourceId: String?
}

extension VoucherEngine {
  /// Customers matching `query`, and how many match in all.
  public func customers(matching query: CustomerQuery) throws -> (
    customers: [Customer], total: Int
  ) {
    try store.read { try $0.customers(matching: query) }
  }

  /// Deletes the customer with this id, source id or email.
  ///
  /// - Throws: `Refusal` (`customerNotFound`) when there is none.
  public func deleteCustomer(_ reference: String, actor: String? = nil) throws {
    let now = clock.now()
    try store.write { store in
      guard let customer = try Self.resolveCustomer(reference, in: store) else {
        throw Refusal(code: nil, reason: .customerNotFound(reference: reference))
      }
      try store.deleteCustomer(id: customer.id, at: now)
      try store.appendEvent(
        date: now, actor: actor, kind: "customer.deleted", subject: customer.id, detail: "{}")
    }
  }

  /// Vouchers matching `query`, and how many match in all. `holder` (an id, source id or
  /// email) is resolved first; one that names nobody matches nothing.
  public func vouchers(matching query: VoucherQuery, holder: String? = nil) throws -> (
    vouchers: [Voucher], total: Int
  ) {
    try store.read { store in
      var query = query
      if let holder {
        guard let customer = try Self.resolveCustomer(holder, in: store) else { return ([], 0) }
        query.holderId = customer.id
      }
      return try store.vouchers(matching: query)
    }
  }

  /// A gift card's balance changes, oldest first; none for a discount voucher.
  ///
  /// - Throws: `Refusal` (`notFound`) when no voucher has this code.
  public func transactions(code: String) throws -> [VoucherTransaction] {
    try store.read { store in
      guard let voucher = try store.voucher(code: code.normalizedCode) else {
        throw Refusal(code: code, reason: .notFound(code: code.normalizedCode))
      }
      guard case .gift = voucher.kind else { return [] }
      var found: [VoucherTransaction] = []
      var query = RedemptionQuery(code: voucher.code, limit: 1000)
      query.order = ListOrder(field: "created_at", descending: false)
      for redemption in try store.redemptions(
        matching: query, customerId: nil, voucherId: voucher.id)
      where redemption.amount > 0 {
        found.append(
          VoucherTransaction(
            id: redemption.id, kind: .redemption, amount: redemption.amount,
            balanceAfter: redemption.giftBalanceAfter, date: redemption.date,
            relatedId: redemption.order.sourceId, reason: nil, sourceId: redemption.order.sourceId
          ))
      }
      for rollback in try store.rollbacks(voucherId: voucher.id) where rollback.amount > 0 {
        found.append(
          VoucherTransaction(
            id: rollback.id, kind: .refund, amount: rollback.amount, balanceAfter: nil,
            date: rollback.date, relatedId: rollback.redemptionId, reason: rollback.reason,
            sourceId: nil))
      }
      for event in try store.events(subject: voucher.id, limit: 10_000)
      where event.kind == "voucher.balance_added" {
        // Events written before the amount was logged cannot say how much was added.
        guard let detail = try? JSONValue.parse(event.detail),
          let amount = detail["amount"]?.scalarText.flatMap({ Int64($0) })
        else { continue }
        found.append(
          VoucherTransaction(
            id: "evt_\(event.sequence)", kind: .addition, amount: amount,
            balanceAfter: detail["balance"]?.scalarText.flatMap { Int64($0) }, date: event.date,
            relatedId: nil, reason: detail["reason"]?.scalarText,
            sourceId: detail["source_id"]?.scalarText))
      }
      return found.sorted { $0.date < $1.date || ($0.date == $1.date && $0.id < $1.id) }
    }
  }

  /// The redemptions made under one order, found by its source id or by the id the engine
  /// gave it (`ord_…`), newest first; empty when none.
  public func orderRedemptions(_ reference: String) throws -> [Redemption] {
    var query = RedemptionQuery(orderSourceId: reference, limit: 1000)
    let bySource = try redemptions(query)
    if !bySource.isEmpty || !reference.hasPrefix("ord_") { return bySource }
    query.orderSourceId = nil
    // An engine order id is only on the redemption itself: read the recent ones.
    return try store.read { store in
      try store.redemptions(matching: query, customerId: nil, voucherId: nil).filter {
        $0.order.id == reference
      }
    }
  }

  /// Vouchers a customer may use now, each validated against `items` (or, with
  /// `customerRulesOnly`, against the customer alone: no cart rules), in creation order.
  ///
  /// - Parameters:
  ///   - heldOnly: the customer's own vouchers only (a wallet); otherwise also vouchers held
  ///     by nobody.
  public func qualifications(
    customer reference: String?, items: [CartItem], heldOnly: Bool, customerRulesOnly: Bool,
    limit: Int
  ) throws -> [RedeemableResult] {
    let now = clock.now()
    let timeZone = timeZone
    return try store.read { store in
      var customer: Customer?
      if let reference {
        guard let found = try Self.resolveCustomer(reference, in: store) else {
          throw Refusal(code: nil, reason: .customerNotFound(reference: reference))
        }
        customer = found
      }
      var candidates: [Voucher] = []
      if let customer { candidates += try store.vouchers(holderId: customer.id) }
      if !heldOnly {
        var query = VoucherQuery()
        query.limit = 1000
        candidates += try store.vouchers(matching: query).vouchers.filter { $0.holderId == nil }
      }
      var results: [RedeemableResult] = []
      let cart =
        customerRulesOnly || items.isEmpty
        ? [CartItem(sku: "_order", quantity: 1, price: 0)] : items
      for voucher in candidates where results.count < limit {
        var request = RedemptionRequest(
          codes: [CodeRequest(voucher.code)], customer: customer?.id, items: cart)
        request.channel = Channel()
        let result = try Rules.evaluate(
          request, customer: customer, in: store, at: now, timeZone: timeZone,
          known: [voucher.code: voucher])
        guard var entry = result.redeemables.first else { continue }
        if customerRulesOnly {
          switch entry.refusal {
          case .orderBelowMinimum, .noApplicableItem: entry.refusal = nil
          default: break
          }
        }
        if entry.refusal == nil { results.append(entry) }
      }
      return results
    }
  }
}
