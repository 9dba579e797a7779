import Foundation

/// The voucher rules as synchronous functions over values and a store transaction.
/// Validation and redemption share `evaluate`, so a redemption re-checks exactly what a
/// validation showed.
enum Rules {
  /// Checks every code of `request` against its cart, in order: discounts first (each on
  /// what the previous ones left), then gift cards on the remaining total. Changes nothing.
  ///
  /// - Parameter known: vouchers the caller already read in this transaction, by normalised
  ///   code (a redemption's replay check reads them first), so they are not read twice.
  static func evaluate(
    _ request: RedemptionRequest, customer: Customer?, in store: any StoreTransaction, at now: Date,
    timeZone: TimeZone, known: [String: Voucher] = [:]
  ) throws -> ValidationResult {
    let codes = request.codes.map(\.code.normalizedCode)
    try check(request, codes: codes)
    var remaining = request.items.map(\.amount)
    let orderAmount = remaining.reduce(0, +)

    var seen = Set<String>()
    var results: [RedeemableResult] = []
    results.reserveCapacity(codes.count)
    // Gift credits other sessions hold, per code position.
    var heldCredits = [Int64](repeating: 0, count: codes.count)
    for code in codes {
      var result = RedeemableResult(
        code: code, voucher: nil, status: nil, refusal: nil, discount: 0, giftCredits: 0)
      // (A single code cannot repeat: no set to hash it into.)
      if codes.count > 1, !seen.insert(code).inserted {
        result.refusal = .duplicatedRedeemables(code: code)
      } else if let voucher = try known[code] ?? store.voucher(code: code) {
        result.voucher = voucher
        result.status = voucher.status(at: now)
        result.refusal = try refusal(
          for: voucher, customer: customer, store: store, now: now, timeZone: timeZone)
        if result.refusal == nil {
          let held = try heldByOthers(
            voucher, session: request.session?.key, store: store, now: now)
          heldCredits[results.count] = held.credits
          result.refusal = held.refusal
        }
        if result.refusal == nil, let minimum = voucher.minOrderAmount, orderAmount < minimum {
          result.refusal = .orderBelowMinimum(minimum: minimum, orderAmount: orderAmount)
        }
      } else {
        result.refusal = .notFound(code: code)
      }
      results.append(result)
    }

    // Discounts in the order given, each on what is left of the items it applies to.
    for index in results.indices where results[index].refusal == nil {
      guard let voucher = results[index].voucher, case .discount(let discount) = voucher.kind
      else {
        continue
      }
      let eligible = request.items.indices.filter { applies(voucher, to: request.items[$0].sku) }
      if eligible.isEmpty {
        results[index].refusal = .noApplicableItem
        continue
      }
      let base = eligible.reduce(Int64(0)) { $0 + remaining[$1] }
      var off = amountOff(discount, base: base)
      if let cap = voucher.aggregatedAmountLimit { off = min(off, cap) }
      allocate(off, over: eligible, remaining: &remaining)
      results[index].discount = off
    }

    // Gift cards then pay from the remaining total.
    var left = remaining.reduce(0, +)
    for index in results.indices where results[index].refusal == nil {
      guard case .gift(_, let whole) = results[index].voucher?.kind else { continue }
      let balance = whole - heldCredits[index]
      let requested = request.codes[index].giftCredits
      if let requested, requested <= 0 {
        results[index].refusal = .invalidPayload("a gift amount must be more than zero")
        continue
      }
      if let requested, requested > balance {
        results[index].refusal = .giftAmountExceeded(balance: balance, requested: requested)
        continue
      }
      let credits = min(requested ?? balance, left)
      left -= credits
      results[index].giftCredits = credits
    }

    let valid = results.allSatisfy { $0.refusal == nil }
    let discountAmount = results.reduce(Int64(0)) { $0 + $1.discount }
    let giftCredits = results.reduce(Int64(0)) { $0 + $1.giftCredits }
    return ValidationResult(
      valid: valid, redeemables: results, orderAmount: orderAmount,
      discountAmount: discountAmount, giftCredits: giftCredits,
      totalAmount: orderAmount - discountAmount - giftCredits, customer: customer,
      currency: results.lazy.compactMap { $0.voucher?.currency }.first ?? "SEK")
  }

  /// The shape checks: code count, cart size, amounts in range.
  ///
  /// - Parameter codes: the request's codes, normalised (computed once by the caller).
  static func check(_ request: RedemptionRequest, codes: [String]) throws(Reason) {
    guard !request.codes.isEmpty else { throw .invalidPayload("no voucher code given") }
    guard request.codes.count <= RedemptionRequest.maximumCodes else {
      throw .invalidPayload("at most \(RedemptionRequest.maximumCodes) codes at once")
    }
    guard request.items.count <= RedemptionRequest.maximumItems else {
      throw .invalidPayload("at most \(RedemptionRequest.maximumItems) cart lines")
    }
    for code in codes where code.isEmpty {
      throw .invalidPayload("an empty voucher code")
    }
    for item in request.items { try item.check() }
    // (Counting bytes first: a short text cannot have more than 200 characters.)
    if let order = request.orderSourceId,
      order.isEmpty || (order.utf8.count > 200 && order.count > 200)
    {
      throw .invalidPayload("an order id must be 1–200 characters")
    }
  }

  /// What other sessions hold of `voucher` now: a refusal when they hold every use or the
  /// whole balance left, and the gift credits they hold. Expired holds count for nothing.
  private static func heldByOthers(
    _ voucher: Voucher, session: String?, store: any StoreTransaction, now: Date
  ) throws -> (refusal: Reason?, credits: Int64) {
    // A hold takes a use or gift credits: a discount voucher without a use limit has nothing
    // that can run out, and is not looked up (most validations).
    if voucher.quantity == nil, case .discount = voucher.kind { return (nil, 0) }
    let held = try store.sessionLocks(voucherId: voucher.id).filter {
      $0.expiresAt > now && $0.key != session
    }
    guard let last = held.map({ (lock: SessionLock) in lock.expiresAt }).max() else {
      return (nil, 0)
    }
    let credits = held.reduce(Int64(0)) { $0 + $1.giftCredits }
    if let quantity = voucher.quantity, voucher.redeemedQuantity + Int64(held.count) >= quantity {
      return (.heldBySession(until: last), credits)
    }
    if case .gift(_, let balance) = voucher.kind, balance - credits <= 0 {
      return (.heldBySession(until: last), credits)
    }
    return (nil, credits)
  }

  /// Why `voucher` cannot be used now by `customer` (cart rules aside), or nil.
  private static func refusal(
    for voucher: Voucher, customer: Customer?, store: any StoreTransaction, now: Date,
    timeZone: TimeZone
  ) throws -> Reason? {
    switch voucher.status(at: now) {
    case .disabled: return .voucherDisabled
    case .used:
      let last = try store.latestSucceededRedemption(voucherId: voucher.id)
      return .quantityExceeded(
        lastUse: last.map { UseRecord(date: $0.date, terminal: $0.channel.terminal) })
    case .noBalance: return .giftAmountExceeded(balance: 0, requested: 0)
    case .expired: return .voucherExpired(expiredAt: voucher.expirationDate!)
    case .notActiveYet: return .voucherNotActive(startsAt: voucher.startDate!)
    case .active: break
    }
    if let reason = voucher.validity.refusal(at: now, start: voucher.startDate, timeZone: timeZone)
    {
      return reason
    }
    if let holder = voucher.holderId {
      guard let customer else { return .missingCustomer }
      if customer.id != holder { return .boundToAnotherCustomer }
    }
    if let limit = voucher.perCustomer {
      guard let customer else { return .missingCustomerForLimit(limit: limit) }
      let used = try store.succeededRedemptionCount(voucherId: voucher.id, customerId: customer.id)
      if used >= limit { return .perCustomerLimitReached(limit: limit) }
    }
    return nil
  }

  static func applies(_ voucher: Voucher, to sku: String) -> Bool {
    (voucher.applicableTo.isEmpty || voucher.applicableTo.contains(sku))
      && !voucher.inapplicableTo.contains(sku)
  }

  /// What `discount` takes off `base`, never more than `base`.
  static func amountOff(_ discount: Discount, base: Int64) -> Int64 {
    switch discount {
    case .percent(let basisPoints, let limit):
      let off = Money.percent(of: base, basisPoints: basisPoints)
      return min(off, limit ?? off, base)
    case .amount(let amount): return min(amount, base)
    case .fixed(let price): return max(0, base - price)
    }
  }

  /// Spreads `amount` over the eligible lines in proportion to what is left of each, so the
  /// next discount sees the right remainder. Remainders go to the earliest lines.
  static func allocate(_ amount: Int64, over lines: [Int], remaining: inout [Int64]) {
    let base = lines.reduce(Int64(0)) { $0 + remaining[$1] }
    guard amount > 0, base > 0 else { return }
    var given: Int64 = 0
    var shares: [Int64] = []
    for line in lines {
      let product = amount.multipliedFullWidth(by: remaining[line])
      let share = base.dividingFullWidth(product).quotient
      shares.append(share)
      given += share
    }
    for (position, line) in lines.enumerated() {
      var share = shares[position]
      if given < amount && share < remaining[line] {
        let extra = min(amount - given, remaining[line] - share)
        share += extra
        given += extra
      }
      remaining[line] -= share
    }
  }
}
