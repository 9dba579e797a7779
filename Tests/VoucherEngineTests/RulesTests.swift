import Foundation
import Testing

@testable import VoucherEngine

// MARK: Discount kinds

@Test(
  "each discount kind takes the right amount off a 259.00 order",
  arguments: [
    (Discount.percent(basisPoints: 1000, amountLimit: nil), Int64(2590), Int64(23310)),
    (.percent(basisPoints: 5000, amountLimit: 5000), 5000, 20900),
    (.percent(basisPoints: 1250, amountLimit: 50000), 3238, 22662),
    (.amount(5000), 5000, 20900),
    (.amount(50000), 25900, 0),
    (.fixed(19900), 6000, 19900),
    (.fixed(30000), 0, 25900),
  ])
func discountKinds(discount: Discount, expectedOff: Int64, expectedTotal: Int64) throws {
  let engine = try makeEngine()
  try engine.createVoucher(VoucherDraft(code: "DEAL", kind: .discount(discount)))
  let cart = [line("prod_1", 25900)]

  let result = try engine.validate(request("DEAL", items: cart))
  #expect(result.valid)
  #expect(result.orderAmount == 25900)
  #expect(result.discountAmount == expectedOff)
  #expect(result.totalAmount == expectedTotal)

  let outcome = try engine.redeem(request("DEAL", items: cart, order: "sale-1"))
  #expect(outcome.redemption.amount == expectedOff)
  #expect(outcome.redemption.order.totalAmount == expectedTotal)
}

@Test(
  "a percent voucher gives 10 % of 259.00 as 25.90, leaving 233.10", arguments: StoreKind.allCases)
func tenPercentOfAnOrder(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  let result = try engine.validate(request("TEN", items: [line("prod_1", 25900)]))
  #expect(result.redeemables.first?.discount == 2590)
  #expect(result.totalAmount == 23310)
  #expect(Money.format(result.totalAmount) == "233.10")
}

@Test("validation changes nothing", arguments: StoreKind.allCases)
func validationChangesNothing(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "TEN")) { $0.quantity = 1 })
  _ = try engine.validate(request("TEN", items: [line("prod_1", 25900)], order: "sale-1"))
  #expect(try engine.voucher(code: "TEN")?.redeemedQuantity == 0)
  #expect(try engine.counts().redemptions == 0)
}

// MARK: Applicable products

@Test("applicable_to takes the base from the eligible lines only", arguments: StoreKind.allCases)
func applicableToLimitsTheBase(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "SHOES")) { $0.applicableTo = ["shoe"] })
  let result = try engine.validate(
    request("SHOES", items: [line("shoe", 10000), line("sock", 5000)]))
  #expect(result.valid)
  #expect(result.discountAmount == 1000)
  #expect(result.totalAmount == 14000)
}

@Test("inapplicable_to leaves the excluded lines out of the base", arguments: StoreKind.allCases)
func inapplicableToExcludesLines(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "NOSOCKS")) { $0.inapplicableTo = ["sock"] })
  let result = try engine.validate(
    request("NOSOCKS", items: [line("shoe", 10000), line("sock", 5000)]))
  #expect(result.discountAmount == 1000)
}

@Test(
  "a cart with no eligible line is refused with order_rules_violated", arguments: StoreKind.allCases
)
func noApplicableItem(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "SHOES")) { $0.applicableTo = ["shoe"] })
  let cart = [line("sock", 5000)]
  let reason = try validationRefusal(engine, request("SHOES", items: cart))
  #expect(reason == .noApplicableItem)
  #expect(reason?.key == "order_rules_violated")
  #expect(refusal { try engine.redeem(request("SHOES", items: cart)) } == .noApplicableItem)
  #expect(
    CashierWords.sentence(for: .noApplicableItem)
      == "No item in the cart qualifies for this voucher.")
}

@Test(
  "an order below the minimum is refused with order_rules_violated", arguments: StoreKind.allCases)
func orderBelowMinimum(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "MIN300")) { $0.minOrderAmount = 30000 })
  let cart = [line("prod_1", 25900)]
  let reason = try validationRefusal(engine, request("MIN300", items: cart))
  #expect(reason == .orderBelowMinimum(minimum: 30000, orderAmount: 25900))
  #expect(reason?.key == "order_rules_violated")
  #expect(
    CashierWords.sentence(for: try #require(reason), currency: "SEK")
      == "Order must be at least 300.00 SEK (now 259.00 SEK).")
  let enough = [line("prod_1", 30000)]
  #expect(try validationRefusal(engine, request("MIN300", items: enough)) == nil)
}

// MARK: Stacking

@Test(
  "stacked percent codes each apply to what the previous one left", arguments: StoreKind.allCases)
func stackedPercentCodes(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "FIRST"))
  try engine.createVoucher(percent(10, code: "SECOND"))
  let result = try engine.validate(request("FIRST", "SECOND", items: [line("prod_1", 10000)]))
  #expect(result.valid)
  #expect(result.redeemables.map(\.discount) == [1000, 900])
  #expect(result.discountAmount == 1900)
  #expect(result.totalAmount == 8100)
}

@Test(
  "a product-limited second discount sees what the first left of its lines",
  arguments: StoreKind.allCases)
func stackedWithApplicableLines(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "ALL"))
  try engine.createVoucher(with(percent(10, code: "SHOES")) { $0.applicableTo = ["shoe"] })
  let cart = [line("shoe", 10000), line("sock", 5000)]
  let result = try engine.validate(request("ALL", "SHOES", items: cart))
  #expect(result.redeemables.map(\.discount) == [1500, 900])
  #expect(result.totalAmount == 12600)
}

@Test(
  "discounts apply before gift cards even when the gift code is listed first",
  arguments: StoreKind.allCases)
func discountsBeforeGiftCards(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(giftCard(balance: 100_000, code: "GIFT"))
  try engine.createVoucher(percent(10, code: "TEN"))
  let result = try engine.validate(request("GIFT", "TEN", items: [line("prod_1", 10000)]))
  #expect(result.valid)
  #expect(result.redeemables.map(\.code) == ["GIFT", "TEN"])
  #expect(result.redeemables.map(\.discount) == [0, 1000])
  #expect(result.redeemables.map(\.giftCredits) == [9000, 0])
  #expect(result.discountAmount == 1000)
  #expect(result.giftCredits == 9000)
  #expect(result.totalAmount == 0)
}

@Test("a stacked request with one bad code redeems nothing at all", arguments: StoreKind.allCases)
func stackedAllOrNothing(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "GOOD"))
  let cart = [line("prod_1", 10000)]
  let validation = try engine.validate(request("GOOD", "NOPE", items: cart))
  #expect(!validation.valid)
  #expect(validation.redeemables.map(\.isApplicable) == [true, false])

  #expect(
    refusal { try engine.redeem(request("GOOD", "NOPE", items: cart, order: "sale-1")) }
      == .notFound(code: "NOPE"))
  #expect(try engine.voucher(code: "GOOD")?.redeemedQuantity == 0)
  #expect(try engine.redemptions(RedemptionQuery(code: "GOOD")).isEmpty)
  #expect(try engine.redemptions(RedemptionQuery(orderSourceId: "sale-1")).isEmpty)
  #expect(try engine.counts().redemptions == 0)
}

@Test(
  "the same code twice in one request is refused as duplicated_redeemables",
  arguments: StoreKind.allCases)
func duplicatedCodes(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  let twice = request("TEN", " ten ", items: [line("prod_1", 10000)])
  let result = try engine.validate(twice)
  #expect(!result.valid)
  #expect(result.redeemables.map(\.refusal) == [nil, .duplicatedRedeemables(code: "TEN")])
  #expect(result.redeemables.last?.refusal?.key == "duplicated_redeemables")
  #expect(refusal { try engine.redeem(twice) } == .duplicatedRedeemables(code: "TEN"))
  #expect(try engine.voucher(code: "TEN")?.redeemedQuantity == 0)
}

@Test("more than 30 codes in one request is an invalid payload", arguments: StoreKind.allCases)
func tooManyCodes(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  let codes = (1...31).map { CodeRequest("CODE\($0)") }
  let tooMany = RedemptionRequest(codes: codes, items: [line("prod_1", 10000)])
  let validated = refusal { try engine.validate(tooMany) }
  #expect(isInvalidPayload(validated))
  #expect(validated?.key == "invalid_payload")
  #expect(isInvalidPayload(refusal { try engine.redeem(tooMany) }))
}

@Test("a request with no code is an invalid payload", arguments: StoreKind.allCases)
func noCodes(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  let empty = RedemptionRequest(codes: [], items: [line("prod_1", 10000)])
  #expect(isInvalidPayload(refusal { try engine.validate(empty) }))
}

// MARK: Gift cards

@Test(
  "a gift card pays part of its balance and records what is left", arguments: StoreKind.allCases)
func giftPartialSpend(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(giftCard(balance: 10000, code: "GIFT"))
  let outcome = try engine.redeem(request("GIFT", items: [line("prod_1", 3000)], order: "sale-1"))
  #expect(outcome.redemption.amount == 3000)
  #expect(outcome.redemption.order.giftCredits == 3000)
  #expect(outcome.redemption.order.totalAmount == 0)
  #expect(outcome.redemption.giftBalanceAfter == 7000)
  #expect(try engine.voucher(code: "GIFT")?.kind == .gift(amount: 10000, balance: 7000))
}

@Test(
  "a gift amount above the balance is refused with gift_amount_exceeded",
  arguments: StoreKind.allCases)
func giftAmountAboveBalance(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(giftCard(balance: 10000, code: "GIFT"))
  let asking = RedemptionRequest(
    codes: [CodeRequest("GIFT", giftCredits: 15000)], items: [line("prod_1", 20000)])
  let reason = try validationRefusal(engine, asking)
  #expect(reason == .giftAmountExceeded(balance: 10000, requested: 15000))
  #expect(reason?.key == "gift_amount_exceeded")
  #expect(
    CashierWords.sentence(for: try #require(reason), currency: "SEK")
      == "The gift card holds only 100.00 SEK.")
  #expect(refusal { try engine.redeem(asking) } == reason)
}

@Test(
  "a gift amount larger than the remaining order is clamped to the remaining total",
  arguments: StoreKind.allCases)
func giftAmountClampedToOrder(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(giftCard(balance: 10000, code: "GIFT"))
  let asking = RedemptionRequest(
    codes: [CodeRequest("GIFT", giftCredits: 8000)], orderSourceId: "sale-1",
    items: [line("prod_1", 3000)])
  let result = try engine.validate(asking)
  #expect(result.valid)
  #expect(result.giftCredits == 3000)
  let outcome = try engine.redeem(asking)
  #expect(outcome.redemption.giftBalanceAfter == 7000)
}

@Test("a named gift amount below the order spends exactly that much", arguments: StoreKind.allCases)
func giftNamedAmount(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(giftCard(balance: 10000, code: "GIFT"))
  let asking = RedemptionRequest(
    codes: [CodeRequest("GIFT", giftCredits: 2000)], items: [line("prod_1", 3000)])
  let result = try engine.validate(asking)
  #expect(result.giftCredits == 2000)
  #expect(result.totalAmount == 1000)
}

@Test("an empty gift card reads NO_BALANCE and is refused", arguments: StoreKind.allCases)
func emptyGiftCard(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(giftCard(balance: 0, amount: 10000, code: "EMPTY"))
  let cart = [line("prod_1", 3000)]
  let result = try engine.validate(request("EMPTY", items: cart))
  let only = try #require(result.redeemables.first)
  #expect(only.status == .noBalance)
  #expect(only.refusal == .giftAmountExceeded(balance: 0, requested: 0))
  #expect(only.refusal?.key == "gift_amount_exceeded")
  #expect(CashierWords.sentence(for: try #require(only.refusal)) == "This gift card is empty.")
  #expect(refusal { try engine.redeem(request("EMPTY", items: cart)) } == only.refusal)
}

@Test("a gift card spent to zero reads NO_BALANCE afterwards", arguments: StoreKind.allCases)
func giftSpentToZero(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(giftCard(balance: 3000, code: "GIFT"))
  _ = try engine.redeem(request("GIFT", items: [line("prod_1", 5000)], order: "sale-1"))
  let voucher = try #require(try engine.voucher(code: "GIFT"))
  #expect(voucher.status(at: Day.now) == .noBalance)
  let reason = try validationRefusal(engine, request("GIFT", items: [line("prod_1", 100)]))
  #expect(reason == .giftAmountExceeded(balance: 0, requested: 0))
}

// MARK: Customers

@Test("a holder-bound voucher needs its holder", arguments: StoreKind.allCases)
func holderBoundVoucher(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  let holder = try engine.upsertCustomer(CustomerDraft(sourceId: "c-1", name: "Alice Example"))
  try engine.upsertCustomer(CustomerDraft(sourceId: "c-2", name: "Bob Other"))
  try engine.createVoucher(with(percent(10, code: "MINE")) { $0.holder = "c-1" })
  let cart = [line("prod_1", 10000)]

  let nobody = try validationRefusal(engine, request("MINE", items: cart))
  #expect(nobody == .missingCustomer)
  #expect(nobody?.key == "missing_customer")

  let other = try validationRefusal(engine, request("MINE", items: cart, customer: "c-2"))
  #expect(other == .boundToAnotherCustomer)
  #expect(other?.key == "customer_rules_violated")
  #expect(
    refusal { try engine.redeem(request("MINE", items: cart, customer: "c-2")) }
      == .boundToAnotherCustomer)

  #expect(try validationRefusal(engine, request("MINE", items: cart, customer: holder.id)) == nil)
  let outcome = try engine.redeem(request("MINE", items: cart, customer: "c-1"))
  #expect(outcome.redemption.customerId == holder.id)
}

@Test(
  "a per-customer limit refuses the same customer but not another one",
  arguments: StoreKind.allCases)
func perCustomerLimit(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.upsertCustomer(CustomerDraft(sourceId: "c-1", name: "Alice Example"))
  try engine.upsertCustomer(CustomerDraft(sourceId: "c-2", name: "Bob Other"))
  try engine.createVoucher(with(percent(10, code: "ONCE")) { $0.perCustomer = 1 })
  let cart = [line("prod_1", 10000)]

  #expect(
    try validationRefusal(engine, request("ONCE", items: cart))
      == .missingCustomerForLimit(limit: 1))
  _ = try engine.redeem(request("ONCE", items: cart, customer: "c-1", order: "sale-1"))

  let again = refusal {
    try engine.redeem(request("ONCE", items: cart, customer: "c-1", order: "sale-2"))
  }
  #expect(again == .perCustomerLimitReached(limit: 1))
  #expect(again?.key == "customer_rules_violated")
  #expect(try validationRefusal(engine, request("ONCE", items: cart, customer: "c-2")) == nil)
}

@Test("an unknown customer reference is refused as not found", arguments: StoreKind.allCases)
func unknownCustomer(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  let asking = request("TEN", items: [line("prod_1", 10000)], customer: "ghost")
  let reason = refusal { try engine.validate(asking) }
  #expect(reason == .customerNotFound(reference: "ghost"))
  #expect(reason?.key == "not_found")
  #expect(refusal { try engine.redeem(asking) } == .customerNotFound(reference: "ghost"))
}

// MARK: Quantity, state and existence

@Test(
  "a used-up voucher is refused with when and where it was last used", arguments: StoreKind.allCases
)
func quantityExceeded(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "ONE")) { $0.quantity = 1 })
  let cart = [line("prod_1", 10000)]
  _ = try engine.redeem(request("ONE", items: cart, order: "sale-1", terminal: "till 02"))

  let reason = refusal { try engine.redeem(request("ONE", items: cart, order: "sale-2")) }
  #expect(reason == .quantityExceeded(lastUse: UseRecord(date: Day.now, terminal: "till 02")))
  #expect(reason?.key == "quantity_exceeded")
  #expect(
    CashierWords.sentence(for: try #require(reason), timeZone: utcZone)
      == "Already used on 3 Nov 2026 at till 02.")
  let validation = try engine.validate(request("ONE", items: cart))
  #expect(validation.redeemables.first?.status == .used)
}

@Test("a used-up voucher with no known last use says so plainly")
func quantityExceededWithoutRecord() {
  #expect(
    CashierWords.sentence(for: .quantityExceeded(lastUse: nil)) == "Already used: no uses left.")
  let noTerminal = UseRecord(date: Day.now, terminal: nil)
  #expect(
    CashierWords.sentence(for: .quantityExceeded(lastUse: noTerminal), timeZone: utcZone)
      == "Already used on 3 Nov 2026.")
}

@Test("a disabled voucher is refused with voucher_disabled", arguments: StoreKind.allCases)
func disabledVoucher(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "OFFLINE")) { $0.active = false })
  let cart = [line("prod_1", 10000)]
  let result = try engine.validate(request("OFFLINE", items: cart))
  #expect(result.redeemables.first?.status == .disabled)
  #expect(result.redeemables.first?.refusal == .voucherDisabled)
  #expect(result.redeemables.first?.refusal?.key == "voucher_disabled")
  #expect(refusal { try engine.redeem(request("OFFLINE", items: cart)) } == .voucherDisabled)
}

@Test(
  "an unknown code is refused with not_found, in its normalised form", arguments: StoreKind.allCases
)
func unknownCode(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  let cart = [line("prod_1", 10000)]
  let reason = try validationRefusal(engine, request(" nope\n", items: cart))
  #expect(reason == .notFound(code: "NOPE"))
  #expect(reason?.key == "not_found")
  #expect(
    CashierWords.sentence(for: try #require(reason))
      == "No voucher with the code NOPE. Check the code and try again.")
  #expect(refusal { try engine.redeem(request("nope", items: cart)) } == .notFound(code: "NOPE"))
}

@Test("a typed code is matched after trimming and upper-casing", arguments: StoreKind.allCases)
func codesAreNormalised(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(percent(10, code: "TEN"))
  let result = try engine.validate(request("  ten\n", items: [line("prod_1", 10000)]))
  #expect(result.valid)
  #expect(result.redeemables.first?.code == "TEN")
}

@Test(
  "an expired voucher is refused and the cashier reads the day it ended",
  arguments: StoreKind.allCases)
func expiredVoucher(_ store: StoreKind) throws {
  let engine = try makeEngine(store)
  try engine.createVoucher(with(percent(10, code: "OLD")) { $0.expirationDate = Day.lastMonth })
  let reason = try validationRefusal(engine, request("OLD", items: [line("prod_1", 10000)]))
  #expect(reason == .voucherExpired(expiredAt: Day.lastMonth))
  #expect(reason?.key == "voucher_expired")
  let endOfYear = Reason.voucherExpired(expiredAt: Day.endOfYear)
  #expect(CashierWords.sentence(for: endOfYear, timeZone: utcZone) == "Expired on 31 Dec 2026.")
}

@Test(
  "every reason has its Voucherify key",
  arguments: [
    (Reason.notFound(code: "X"), "not_found"),
    (.voucherExpired(expiredAt: Day.now), "voucher_expired"),
    (.customerNotFound(reference: "x"), "not_found"),
    (.redemptionNotFound(id: "r_x"), "not_found"),
    (.duplicateCode(code: "X"), "duplicate_found"),
    (.voucherNotActive(startsAt: Day.now), "voucher_not_active"),
    (.voucherDisabled, "voucher_disabled"),
    (.quantityExceeded(lastUse: nil), "quantity_exceeded"),
    (.boundToAnotherCustomer, "customer_rules_violated"),
    (.perCustomerLimitReached(limit: 1), "customer_rules_violated"),
    (.missingCustomer, "missing_customer"),
    (.missingCustomerForLimit(limit: 2), "missing_customer"),
    (.orderBelowMinimum(minimum: 1, orderAmount: 0), "order_rules_violated"),
    (.noApplicableItem, "order_rules_violated"),
    (.giftAmountExceeded(balance: 0, requested: 1), "gift_amount_exceeded"),
    (.alreadyRolledBack, "already_rolled_back"),
    (.duplicatedRedeemables(code: "X"), "duplicated_redeemables"),
    (.invalidPayload("x"), "invalid_payload"),
    (.reactivationLimitExceeded(limit: 3), "reactivation_limit_exceeded"),
    (.voucherStillActive, "voucher_still_active"),
  ])
func reasonKeys(reason: Reason, key: String) {
  #expect(reason.key == key)
  #expect(!CashierWords.sentence(for: reason, timeZone: utcZone).isEmpty)
}
