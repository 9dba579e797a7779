import Foundation

/// The local engine: customers, vouchers, validation, exactly-once redemption and
/// reactivation over a `VoucherStore`.
///
/// Every method is synchronous and safe to call from any thread. Refusals by a rule throw
/// `Refusal`; failures of the store throw `StoreError`, `SQLiteError` or `PostgreSQLError`.
public final class VoucherEngine: Sendable {
  public let store: any VoucherStore
  public let clock: any WallClock
  /// The currency of vouchers created without one.
  public let defaultCurrency: String
  /// Where days of the week and hours of validity are read (`validity_day_of_week`,
  /// `validity_hours`); the process's own time zone (`TZ`) unless told otherwise.
  public let timeZone: TimeZone
  /// Tokens already checked against their key's stored hash (see `authenticate`).
  let verifiedTokens = VerifiedTokens()
  /// Keys read in the last second, on a store where a read is a round trip to a database
  /// server (see `authenticate`); nil on SQLite, whose reads cost microseconds.
  let recentKeys: RecentKeys?

  public init(
    store: any VoucherStore, clock: any WallClock = SystemClock(), defaultCurrency: String = "SEK",
    timeZone: TimeZone = .current
  ) {
    self.store = store
    self.clock = clock
    self.defaultCurrency = defaultCurrency
    self.timeZone = timeZone
    recentKeys =
      store is PostgreSQLStore ? RecentKeys(lifetime: RecentKeys.postgreSQLLifetime) : nil
  }

  /// The schema version this release keeps its store at (each store kind numbers its own
  /// migrations): what `GET /health` reports.
  public var schemaVersion: Int {
    store is PostgreSQLStore ? PostgreSQLStore.schemaVersion : SQLiteStore.schemaVersion
  }

  /// Where the tools keep the database unless told otherwise:
  /// `$XDG_DATA_HOME/voucher-pos/engine.sqlite` (`~/.local/share/…` without XDG_DATA_HOME).
  /// Creates the folder.
  ///
  /// - Throws: `StoreError.cannotOpen` when the folder cannot be made.
  public static func defaultDatabasePath(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> String {
    let base =
      environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
    let directory = base + "/voucher-pos"
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw StoreError.cannotOpen(path: directory, detail: "cannot create the folder")
    }
    return directory + "/engine.sqlite"
  }

  /// Opens the database at `location`: a `postgresql://` (or `postgres://`) URL, or the path
  /// of a SQLite file, created when missing.
  ///
  /// - Throws: `StoreError` when it cannot be opened (for a URL also when it carries a
  ///   password, which belongs in `PGPASSFILE` or `PGPASSWORD`).
  public convenience init(
    path location: String, clock: any WallClock = SystemClock(), timeZone: TimeZone = .current
  ) throws {
    self.init(store: try Self.openStore(location), clock: clock, timeZone: timeZone)
  }

  /// The store at `location`: PostgreSQL for a URL, SQLite for a path.
  public static func openStore(_ location: String) throws -> any VoucherStore {
    if PostgreSQLStore.isLocation(location) { return try PostgreSQLStore(url: location) }
    return try SQLiteStore(path: location)
  }

  // MARK: Customers

  /// Creates a customer, or updates the one with the same source id (or, lacking a source
  /// id, the same email). Fields left nil keep their value.
  ///
  /// - Throws: `Refusal` with `.invalidPayload` for a malformed email or phone, or an email
  ///   that belongs to another customer.
  @discardableResult
  public func upsertCustomer(_ draft: CustomerDraft, actor: String? = nil) throws -> Customer {
    let draft = try Self.checked(draft)
    let now = clock.now()
    return try store.write { try Self.upsert(draft, actor: actor, store: $0, now: now) }
  }

  /// Upserts many customers in one transaction: all of them or, on the first refusal, none.
  @discardableResult
  public func upsertCustomers(_ drafts: [CustomerDraft], actor: String? = nil) throws -> [Customer]
  {
    let drafts = try drafts.map(Self.checked)
    let now = clock.now()
    return try store.write { store in
      try drafts.map { try Self.upsert($0, actor: actor, store: store, now: now) }
    }
  }

  static func upsert(
    _ draft: CustomerDraft, actor: String?, store: any StoreTransaction, now: Date,
    logEvent: Bool = true
  ) throws -> Customer {
    try upsertNoting(draft, actor: actor, store: store, now: now, logEvent: logEvent).customer
  }

  /// Upserts and tells whether the customer is new (a new customer holds nothing yet).
  static func upsertNoting(
    _ draft: CustomerDraft, actor: String?, store: any StoreTransaction, now: Date,
    logEvent: Bool = true
  ) throws -> (customer: Customer, created: Bool) {
    var existing: Customer?
    if let id = draft.id {
      guard let found = try store.customer(id: id) else {
        throw Refusal(code: nil, reason: .customerNotFound(reference: id))
      }
      existing = found
    } else if let sourceId = draft.sourceId {
      existing = try store.customer(sourceId: sourceId)
    } else if let email = draft.email {
      existing = try store.customer(email: email)
    }
    // An existing customer taking a new email must not take someone else's. A new customer
    // is checked by the UNIQUE index instead, saving a lookup per row in bulk issuance.
    if let existing, let email = draft.email,
      ContactText.foldEmail(email) != existing.email.map(ContactText.foldEmail),
      let owner = try store.customer(email: email), owner.id != existing.id
    {
      throw Refusal(
        code: nil, reason: .invalidPayload("the email \(email) belongs to another customer"))
    }
    var customer =
      existing
      ?? Customer(
        id: Identifiers.make(Customer.idPrefix), sourceId: nil, name: nil, email: nil, phone: nil,
        memberNumber: nil, metadata: .emptyObject, createdAt: now, updatedAt: now)
    if let value = draft.sourceId { customer.sourceId = value }
    if let value = draft.name { customer.name = value }
    if let value = draft.email { customer.email = value }
    if let value = draft.phone { customer.phone = value }
    if let value = draft.memberNumber { customer.memberNumber = value }
    if let value = draft.metadata { customer.metadata = value }
    if let value = draft.description { customer.description = value }
    if let value = draft.address { customer.address = value }
    if let value = draft.birthdate { customer.birthdate = value }
    if let value = draft.birthday { customer.birthday = value }
    // A re-run that changes nothing writes nothing.
    if let existing, existing == customer { return (customer, false) }
    customer.updatedAt = now
    if existing == nil {
      do {
        try store.insert(customer)
      } catch let error as any ConstraintReporting where error.isConstraint {
        throw Refusal(
          code: nil,
          reason: .invalidPayload("the email \(customer.email ?? "") belongs to another customer"))
      }
    } else {
      try store.update(customer)
    }
    guard logEvent else { return (customer, existing == nil) }
    try store.appendEvent(
      date: now, actor: actor, kind: existing == nil ? "customer.created" : "customer.updated",
      subject: customer.id, detail: JSONText.encode(["source_id": customer.sourceId ?? ""]))
    return (customer, existing == nil)
  }

  static func checked(_ draft: CustomerDraft) throws -> CustomerDraft {
    var draft = draft
    func refuse(_ text: String) -> Refusal { Refusal(code: nil, reason: .invalidPayload(text)) }
    try SafeText.check(draft: draft)
    if let email = draft.email?.trimmingSpaces() {
      guard ContactText.isPlausibleEmail(email), email.count <= 254 else {
        throw refuse("“\(email)” is not an email address")
      }
      draft.email = email
    }
    if let phone = draft.phone {
      guard let normalized = ContactText.normalizePhone(phone) else {
        throw refuse("“\(phone)” is not a phone number")
      }
      draft.phone = normalized
    }
    for (label, value) in [
      ("name", draft.name), ("source id", draft.sourceId), ("member number", draft.memberNumber),
    ] {
      if let value, value.trimmingSpaces().isEmpty || value.count > 200 {
        throw refuse("a \(label) must be 1–200 characters")
      }
    }
    draft.sourceId = draft.sourceId?.trimmingSpaces()
    draft.name = draft.name?.trimmingSpaces()
    draft.memberNumber = draft.memberNumber?.trimmingSpaces()
    return draft
  }

  /// The customer with this id, source id or email.
  public func customer(_ reference: String) throws -> Customer? {
    try store.read { try Self.resolveCustomer(reference, in: $0) }
  }

  static func resolveCustomer(_ reference: String, in store: any StoreTransaction) throws
    -> Customer?
  {
    let text = reference.trimmingSpaces()
    guard !text.isEmpty else { return nil }
    // Every customer id is made by `upsertNoting` with this prefix, so other text can only
    // be a source id or an email: skip a lookup that cannot match (tills send source ids).
    if text.hasPrefix(Customer.idPrefix), let found = try store.customer(id: text) { return found }
    if let found = try store.customer(sourceId: text) { return found }
    if text.contains("@"), let found = try store.customer(email: text) { return found }
    return nil
  }

  /// One page of every customer, oldest first, and how many there are in all.
  ///
  /// - Parameters:
  ///   - page: from 1.
  ///   - limit: customers per page, 1 or more.
  public func customers(page: Int, limit: Int) throws -> (customers: [Customer], total: Int) {
    guard page >= 1, limit >= 1 else { return ([], 0) }
    return try store.read { store in
      let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: limit)
      let found = overflow ? [] : try store.customers(offset: offset, limit: limit)
      return (found, try store.counts().customers)
    }
  }

  /// Customers matching what a cashier typed: an id, source id, email, phone or member
  /// number exactly, or the start of any words of the name (`ali ex` finds Alice Example,
  /// `asa` finds Åsa), or part of one (see `findCustomers(_:limit:offset:)`). Several
  /// matches are a normal answer.
  public func findCustomers(_ query: String, limit: Int = 20) throws -> [Customer] {
    // Callers of this form never see the total: it is not counted.
    try search(query, limit: limit, offset: 0, counting: false).customers
  }

  /// One page of the customers matching what a cashier typed, and how many match in all
  /// (exact), so a screen can say "50 of 1,203" and page on.
  ///
  /// A customer matches by an id, source id, email, phone or member number typed whole;
  /// by a member number without its prefix (`100123` finds `M-100123`); by an email's local
  /// part (`alice` or `alice@` finds `alice@example.com`); by any 5 or more consecutive
  /// digits of the phone number (`71234` finds `+46701234567`; a national `0` may lead);
  /// or by the start of a word of the name for every word typed. Each customer is listed
  /// once, in that order of kinds; name matches by the matching word, then oldest first.
  ///
  /// - Parameters:
  ///   - limit: customers per page; 0 or less gives none (the total still counts).
  ///   - offset: matches to skip, from 0.
  public func findCustomers(_ query: String, limit: Int, offset: Int) throws
    -> (customers: [Customer], total: Int)
  {
    let found = try search(query, limit: limit, offset: offset, counting: true)
    return (found.customers, found.total ?? 0)
  }

  private func search(_ query: String, limit: Int, offset: Int, counting: Bool) throws
    -> (customers: [Customer], total: Int?)
  {
    let text = query.trimmingSpaces()
    guard !text.isEmpty else { return ([], 0) }
    return try store.read { store in
      var search = CustomerSearch(query: text)
      var pinned: [String] = []
      func pin(_ customers: [Customer]) {
        for customer in customers where !pinned.contains(customer.id) { pinned.append(customer.id) }
      }
      if let exact = try Self.resolveCustomer(text, in: store) { pin([exact]) }
      // Exact identifiers are few by nature; the cap only bounds a pathological data set.
      pin(try store.customers(memberNumber: text, limit: 100))
      if text.contains(where: \.isASCIIDigit), let phone = ContactText.normalizePhone(text) {
        pin(try store.customers(phone: phone, limit: 100))
      }
      search.pinnedIds = pinned
      return try store.searchCustomers(
        search, offset: max(0, offset), limit: limit, counting: counting)
    }
  }

  // MARK: Vouchers

  /// Creates a voucher with the draft's code, or a new unique one from its pattern.
  ///
  /// - Throws: `Refusal` with `.duplicateCode`, `.customerNotFound` (holder) or
  ///   `.invalidPayload` (values out of range, a pattern with no free codes).
  @discardableResult
  public func createVoucher(_ draft: VoucherDraft, actor: String? = nil) throws -> Voucher {
    try Self.check(draft)
    let now = clock.now()
    return try store.write { store in
      let voucher = try Self.insertVoucher(draft, store: store, now: now)
      try store.appendEvent(
        date: now, actor: actor, kind: "voucher.created", subject: voucher.id,
        detail: JSONText.encode(["code": voucher.code, "holder": voucher.holderId ?? ""]))
      return voucher
    }
  }

  /// Creates many vouchers in one transaction: all of them or, on the first refusal, none.
  /// One `vouchers.imported` event records the batch.
  ///
  /// - Throws: `Refusal` for the first draft that cannot be created.
  @discardableResult
  public func createVouchers(_ drafts: [VoucherDraft], actor: String? = nil) throws -> [Voucher] {
    for draft in drafts { try Self.check(draft) }
    let now = clock.now()
    return try store.write { store in
      let vouchers = try drafts.map { try Self.insertVoucher($0, store: store, now: now) }
      try store.appendEvent(
        date: now, actor: actor, kind: "vouchers.imported", subject: vouchers.first?.id ?? "-",
        detail: JSONText.encode(["count": String(vouchers.count)]))
      return vouchers
    }
  }

  /// - Parameter codeIsFresh: the caller made the code and handles a UNIQUE violation itself
  ///   (bulk issuance retries with a new code), so no lookup is needed first.
  static func insertVoucher(
    _ draft: VoucherDraft, holderId: String? = nil, codeIsFresh: Bool = false,
    store: any StoreTransaction, now: Date
  ) throws -> Voucher {
    var holderId = holderId
    if holderId == nil, let reference = draft.holder {
      guard let customer = try resolveCustomer(reference, in: store) else {
        throw Refusal(code: draft.code, reason: .customerNotFound(reference: reference))
      }
      holderId = customer.id
    }
    let code = codeIsFresh ? draft.code! : try newCode(for: draft, in: store)
    var voucher = Voucher(
      id: Identifiers.make("v_"), code: code, campaign: draft.campaign, kind: draft.kind,
      currency: draft.currency.uppercased(), holderId: holderId, startDate: draft.startDate,
      expirationDate: draft.expirationDate, active: draft.active, quantity: draft.quantity,
      redeemedQuantity: 0, perCustomer: draft.perCustomer, minOrderAmount: draft.minOrderAmount,
      applicableTo: draft.applicableTo, inapplicableTo: draft.inapplicableTo,
      reactivationLimit: draft.reactivationLimit, reactivationCount: 0,
      metadata: draft.metadata, createdAt: now, updatedAt: now)
    voucher.validity = draft.validity
    voucher.aggregatedAmountLimit = draft.aggregatedAmountLimit
    voucher.category = draft.category
    voucher.categoryId = draft.categoryId
    voucher.campaignId = draft.campaignId
    voucher.additionalInfo = draft.additionalInfo
    try store.insert(voucher)
    return voucher
  }

  private static func newCode(for draft: VoucherDraft, in store: any StoreTransaction) throws
    -> String
  {
    if let given = draft.code {
      let code = given.normalizedCode
      try SafeText.checkCode(code, given: given)
      if try store.codeExists(code) {
        throw Refusal(code: code, reason: .duplicateCode(code: code))
      }
      return code
    }
    let pattern: CodePattern
    do { pattern = try CodePattern(draft.codePattern ?? "VP-####-####") } catch {
      throw Refusal(code: nil, reason: error)
    }
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<200 {
      let code = pattern.generate(using: &generator).normalizedCode
      if try !store.codeExists(code) { return code }
    }
    throw Refusal(
      code: nil,
      reason: .invalidPayload(
        "the pattern \(pattern.pattern) has no free codes left; make it longer"))
  }

  static func check(_ draft: VoucherDraft) throws {
    func refuse(_ text: String) -> Refusal {
      Refusal(code: draft.code, reason: .invalidPayload(text))
    }
    func inRange(_ value: Int64?) -> Bool { value.map { (0...Money.maximum).contains($0) } ?? true }
    try SafeText.check(draft: draft)
    switch draft.kind {
    case .discount(.percent(let basisPoints, let limit)):
      guard (1...10_000).contains(basisPoints) else {
        throw refuse("percent_off must be above 0 and at most 100")
      }
      guard inRange(limit) else { throw refuse("amount_limit is out of range") }
    case .discount(.amount(let amount)), .discount(.fixed(let amount)):
      guard inRange(amount) else { throw refuse("the discount amount is out of range") }
    case .gift(let amount, let balance):
      guard amount > 0, inRange(amount), balance >= 0, balance <= amount else {
        throw refuse("a gift card needs an amount above 0")
      }
    }
    guard inRange(draft.minOrderAmount) else { throw refuse("min_order_amount is out of range") }
    if let quantity = draft.quantity, quantity < 1 { throw refuse("quantity must be at least 1") }
    if let limit = draft.perCustomer, limit < 1 { throw refuse("per_customer must be at least 1") }
    guard (0...1000).contains(draft.reactivationLimit) else {
      throw refuse("the reactivation limit must be 0–1000")
    }
    if let start = draft.startDate, let end = draft.expirationDate, start > end {
      throw refuse("the start date is after the expiration date")
    }
    guard draft.currency.count == 3, draft.currency.allSatisfy(\.isLetter) else {
      throw refuse("currency must be a three-letter ISO 4217 code")
    }
    if let limit = draft.aggregatedAmountLimit, !(0...Money.maximum).contains(limit) {
      throw refuse("aggregated_amount_limit is out of range")
    }
    for day in (draft.validity.daysOfWeek ?? [])
      + (draft.validity.hours ?? []).flatMap(\.daysOfWeek)
    where !(0...6).contains(day) {
      throw refuse("a day of the week is 0 (Sunday) to 6 (Saturday)")
    }
    for window in draft.validity.hours ?? [] where window.startMinute > window.endMinute {
      throw refuse("validity_hours: a start_time is after its expiration_time")
    }
    if draft.validity.timeframe != nil, draft.startDate == nil {
      throw refuse("validity_timeframe needs a start_date to count from")
    }
  }

  /// The live voucher with this code (trimmed and case-folded, so scanner input works).
  public func voucher(code: String) throws -> Voucher? {
    try store.read { try $0.voucher(code: code.normalizedCode) }
  }

  /// Changes fields of a voucher.
  @discardableResult
  public func updateVoucher(code: String, _ changes: VoucherChanges, actor: String? = nil) throws
    -> Voucher
  {
    try modifyVoucher(code: code, event: "voucher.updated", actor: actor) { voucher, store in
      if let value = changes.campaign { voucher.campaign = value }
      if let value = changes.holder {
        voucher.holderId = try value.map { reference in
          guard let customer = try Self.resolveCustomer(reference, in: store) else {
            throw Refusal(code: nil, reason: .customerNotFound(reference: reference))
          }
          return customer.id
        }
      }
      if let value = changes.startDate { voucher.startDate = value }
      if let value = changes.expirationDate { voucher.expirationDate = value }
      if let value = changes.active { voucher.active = value }
      if let value = changes.quantity { voucher.quantity = value }
      if let value = changes.perCustomer { voucher.perCustomer = value }
      if let value = changes.minOrderAmount { voucher.minOrderAmount = value }
      if let value = changes.applicableTo { voucher.applicableTo = value }
      if let value = changes.inapplicableTo { voucher.inapplicableTo = value }
      if let value = changes.reactivationLimit { voucher.reactivationLimit = value }
      if let value = changes.metadata { voucher.metadata = value }
      if let value = changes.validity { voucher.validity = value }
      if let value = changes.aggregatedAmountLimit { voucher.aggregatedAmountLimit = value }
      if let value = changes.category { voucher.category = value }
      if let value = changes.categoryId { voucher.categoryId = value }
      if let value = changes.additionalInfo { voucher.additionalInfo = value }
      if let value = changes.discount {
        guard case .discount = voucher.kind else {
          throw Refusal(code: voucher.code, reason: .invalidPayload("a gift card has no discount"))
        }
        voucher.kind = .discount(value)
      }
      if let quantity = voucher.quantity, quantity < max(1, voucher.redeemedQuantity) {
        throw Refusal(
          code: voucher.code,
          reason: .invalidPayload(
            "quantity cannot go below the \(voucher.redeemedQuantity) uses already made"))
      }
      var draft = VoucherDraft(code: voucher.code, kind: voucher.kind, currency: voucher.currency)
      draft.startDate = voucher.startDate
      draft.expirationDate = voucher.expirationDate
      draft.perCustomer = voucher.perCustomer
      draft.minOrderAmount = voucher.minOrderAmount
      draft.reactivationLimit = voucher.reactivationLimit
      draft.validity = voucher.validity
      draft.aggregatedAmountLimit = voucher.aggregatedAmountLimit
      try Self.check(draft)
    }
  }

  /// Switches a voucher on or off.
  @discardableResult
  public func setVoucherActive(code: String, _ active: Bool, actor: String? = nil) throws -> Voucher
  {
    try modifyVoucher(
      code: code, event: active ? "voucher.enabled" : "voucher.disabled", actor: actor
    ) {
      voucher, _ in voucher.active = active
    }
  }

  /// Adds `amount` to a gift card's balance (and to its loaded total).
  @discardableResult
  ///
  /// - Parameters:
  ///   - sourceId: the shop's own id of the change, kept in the event log.
  ///   - reason: why, kept in the event log.
  public func addGiftBalance(
    code: String, amount: Int64, sourceId: String? = nil, reason: String? = nil,
    actor: String? = nil
  ) throws -> Voucher {
    var detail = ["amount": String(amount)]
    if let sourceId { detail["source_id"] = sourceId }
    if let reason { detail["reason"] = reason }
    return try modifyVoucher(
      code: code, event: "voucher.balance_added", actor: actor, detail: detail
    ) { voucher, _ in
      guard case .gift(let total, let balance) = voucher.kind else {
        throw Refusal(code: voucher.code, reason: .invalidPayload("only a gift card has a balance"))
      }
      guard amount > 0, amount <= Money.maximum, total <= Money.maximum - amount else {
        throw Refusal(
          code: voucher.code, reason: .invalidPayload("the amount to add is out of range"))
      }
      voucher.kind = .gift(amount: total + amount, balance: balance + amount)
    }
  }

  /// Deletes a voucher softly: it is no longer found, its history stays.
  public func deleteVoucher(code: String, actor: String? = nil) throws {
    let now = clock.now()
    try store.write { store in
      guard let voucher = try store.voucher(code: code.normalizedCode) else {
        throw Refusal(code: code, reason: .notFound(code: code.normalizedCode))
      }
      try store.markDeleted(voucherId: voucher.id, at: now)
      try store.appendEvent(
        date: now, actor: actor, kind: "voucher.deleted", subject: voucher.id,
        detail: JSONText.encode(["code": voucher.code]))
    }
  }

  private func modifyVoucher(
    code: String, event: String, actor: String?, detail: [String: String] = [:],
    _ change: (inout Voucher, any StoreTransaction) throws -> Void
  ) throws -> Voucher {
    let now = clock.now()
    return try store.write { store in
      guard var voucher = try store.voucher(code: code.normalizedCode) else {
        throw Refusal(code: code, reason: .notFound(code: code.normalizedCode))
      }
      try change(&voucher, store)
      voucher.updatedAt = now
      try store.update(voucher)
      var detail = detail
      detail["code"] = voucher.code
      if case .gift(_, let balance) = voucher.kind, event == "voucher.balance_added" {
        detail["balance"] = String(balance)
      }
      try store.appendEvent(
        date: now, actor: actor, kind: event, subject: voucher.id,
        detail: JSONText.encode(detail))
      return voucher
    }
  }

  /// A page of live vouchers, oldest first (for exports and admin lists).
  public func listVouchers(limit: Int = 100, page: Int = 1) throws -> [Voucher] {
    let limit = max(1, min(limit, 1000))
    return try store.read { try $0.vouchers(limit: limit, offset: (max(1, page) - 1) * limit) }
  }

  /// A customer's vouchers under one tab, with the count of every tab.
  ///
  /// - Throws: `Refusal` with `.customerNotFound`.
  public func vouchers(
    of customerReference: String, filter: VoucherFilter = .all, page: Int = 1, limit: Int = 50
  ) throws -> VoucherPage {
    let now = clock.now()
    let limit = max(1, min(limit, 1000))
    let page = max(1, page)
    return try store.read { store in
      guard let customer = try Self.resolveCustomer(customerReference, in: store) else {
        throw Refusal(code: nil, reason: .customerNotFound(reference: customerReference))
      }
      let listed = try store.vouchers(holderId: customer.id).map {
        ListedVoucher(voucher: $0, status: $0.status(at: now))
      }
      var counts: [VoucherFilter: Int] = [:]
      for tab in VoucherFilter.allCases {
        counts[tab] = listed.count { tab.includes($0.status) }
      }
      let matching = listed.filter { filter.includes($0.status) }
      let items = Array(matching.dropFirst((page - 1) * limit).prefix(limit))
      return VoucherPage(
        items: items, counts: counts, total: matching.count, page: page, limit: limit)
    }
  }

  // MARK: Validation and redemption

  /// Checks the codes against the cart without changing anything.
  ///
  /// Refusals of single codes come back inside the result (`valid == false`); a malformed
  /// request or an unknown customer throws `Refusal`.
  public func validate(_ request: RedemptionRequest) throws -> ValidationResult {
    try SafeText.check(request: request)
    let now = clock.now()
    let timeZone = timeZone
    guard let session = request.session else {
      return try store.read { store in
        try store.prefetch(
          customer: request.customer, codes: request.codes.map(\.code.normalizedCode))
        let customer = try Self.customer(for: request, in: store)
        return try Self.evaluated(
          request, customer: customer, store: store, now: now, timeZone: timeZone)
      }
    }
    // A session: a valid answer holds what it validated, so the check and the hold are one
    // write.
    var request = request
    let key = session.key ?? Identifiers.make("ssn_")
    request.session = SessionRequest(key: key, lifetime: session.lifetime)
    return try store.write { store in
      let customer = try Self.customer(for: request, in: store)
      var result = try Self.evaluated(
        request, customer: customer, store: store, now: now, timeZone: timeZone)
      guard result.valid else { return result }
      let expiresAt = now.addingTimeInterval(session.lifetime ?? SessionRequest.defaultLifetime)
      for entry in result.redeemables {
        guard let voucher = entry.voucher else { continue }
        try store.deleteSessionLocks(voucherId: voucher.id, expiredBy: now)
        try store.putSessionLock(
          SessionLock(
            voucherId: voucher.id, key: key, giftCredits: entry.giftCredits,
            expiresAt: expiresAt, createdAt: now))
      }
      result.session = SessionLock(
        voucherId: "", key: key, giftCredits: result.giftCredits, expiresAt: expiresAt,
        createdAt: now)
      return result
    }
  }

  /// Ends a validation session's hold on one voucher (Voucherify's release of a session).
  /// Releasing a hold that has gone (used, expired or released) changes nothing.
  ///
  /// - Throws: `Refusal` (`notFound`) when no voucher has this code.
  public func releaseSession(code: String, key: String, actor: String? = nil) throws {
    let now = clock.now()
    try store.write { store in
      guard let voucher = try store.voucher(code: code.normalizedCode) else {
        throw Refusal(code: code, reason: .notFound(code: code.normalizedCode))
      }
      if try store.deleteSessionLock(voucherId: voucher.id, key: key) {
        try store.appendEvent(
          date: now, actor: actor, kind: "voucher.session_released", subject: voucher.id,
          detail: JSONText.encode(["session": key]))
      }
    }
  }

  private static func customer(for request: RedemptionRequest, in store: any StoreTransaction)
    throws -> Customer?
  {
    guard let reference = request.customer else { return nil }
    guard let customer = try resolveCustomer(reference, in: store) else {
      throw Refusal(code: nil, reason: .customerNotFound(reference: reference))
    }
    return customer
  }

  private static func evaluated(
    _ request: RedemptionRequest, customer: Customer?, store: any StoreTransaction, now: Date,
    timeZone: TimeZone, known: [String: Voucher] = [:]
  ) throws -> ValidationResult {
    do {
      return try Rules.evaluate(
        request, customer: customer, in: store, at: now, timeZone: timeZone, known: known)
    } catch let reason as Reason {
      throw Refusal(code: nil, reason: reason)
    }
  }

  /// Redeems every code of `request` at once, or none of them.
  ///
  /// Exactly once: redeeming the same voucher under the same `orderSourceId` again, or
  /// sending the same `idempotencyKey` again, returns the first redemption (`isReplay`)
  /// instead of making a second one. The redemption is on disk when this returns.
  ///
  /// - Throws: `Refusal` naming the first code a rule refused.
  @discardableResult
  public func redeem(_ request: RedemptionRequest, idempotencyKey: String? = nil) throws
    -> RedeemOutcome
  {
    try SafeText.check(request: request)
    try SafeText.check(idempotencyKey, field: "the idempotency key")
    let now = clock.now()
    // Only a keyed request is compared with an earlier one.
    let fingerprint = idempotencyKey == nil ? "" : Self.fingerprint(request)
    // Grouped on SQLite: concurrent redemptions share one commit (one fsync), each
    // all-or-nothing. On PostgreSQL, redemptions of different vouchers under different keys
    // run side by side, each holding the locks of its vouchers and keys.
    let codes = request.codes.map(\.code.normalizedCode)
    let keys = idempotencyKey.map { [$0] } ?? []
    return try store.writeLocking(
      codes: codes, keys: keys, customer: request.customer, order: request.orderSourceId
    ) { store in
      if let key = idempotencyKey,
        let replay = try Self.replay(key: key, fingerprint: fingerprint, in: store)
      {
        return RedeemOutcome(redemption: replay, isReplay: true)
      }
      // The fence: an attempt closed after its deadline never lands, whatever else holds.
      if let key = idempotencyKey, try store.isAttemptClosed(key: key) {
        throw Refusal(code: nil, reason: .attemptClosed(key: key))
      }
      try store.prefetch(customer: request.customer, codes: codes)
      let customer = try Self.customer(for: request, in: store)
      var known: [String: Voucher] = [:]
      let timeZone = self.timeZone
      if let order = request.orderSourceId,
        let replay = try Self.replay(request, order: order, in: store, reading: &known)
      {
        if let key = idempotencyKey {
          try store.saveIdempotencyRecord(
            key: key, fingerprint: fingerprint, resultId: replay.id, at: now)
        }
        return RedeemOutcome(redemption: replay, isReplay: true)
      }
      let result = try Self.evaluated(
        request, customer: customer, store: store, now: now, timeZone: timeZone, known: known)
      if let refusal = result.firstRefusal { throw refusal }
      let redemption = try Self.apply(
        result, request: request, customer: customer, store: store, now: now)
      // The session's hold is used up by its redemption.
      if let key = request.session?.key {
        for entry in result.redeemables {
          if let voucher = entry.voucher {
            _ = try store.deleteSessionLock(voucherId: voucher.id, key: key)
          }
        }
      }
      if let key = idempotencyKey {
        try store.saveIdempotencyRecord(
          key: key, fingerprint: fingerprint, resultId: redemption.id, at: now)
      }
      return RedeemOutcome(redemption: redemption, isReplay: false)
    }
  }

  private static func apply(
    _ result: ValidationResult, request: RedemptionRequest, customer: Customer?,
    store: any StoreTransaction, now: Date
  ) throws -> Redemption {
    let order = RedeemedOrder(
      id: Identifiers.make("ord_"), sourceId: request.orderSourceId, amount: result.orderAmount,
      discountAmount: result.discountAmount, giftCredits: result.giftCredits,
      totalAmount: result.totalAmount, items: request.items)
    let stacked = result.redeemables.count > 1
    let parentId = stacked ? Identifiers.make("r_") : nil
    var children: [Redemption] = []
    for entry in result.redeemables {
      let voucher = entry.voucher!
      guard try store.consumeUse(voucherId: voucher.id, giftCredits: entry.giftCredits, at: now)
      else {
        // Unreachable while the voucher is locked; kept as the last line of defence.
        throw Refusal(code: voucher.code, reason: .quantityExceeded(lastUse: nil))
      }
      var balanceAfter: Int64?
      if case .gift(_, let balance) = voucher.kind { balanceAfter = balance - entry.giftCredits }
      let redemption = Redemption(
        id: Identifiers.make("r_"), parentId: parentId, voucherId: voucher.id,
        voucherCode: voucher.code, customerId: customer?.id, order: order,
        amount: entry.discount + entry.giftCredits, status: .succeeded, channel: request.channel,
        date: now, giftBalanceAfter: balanceAfter, rollbackId: nil, children: [])
      children.append(redemption)
      try store.appendEvent(
        date: now, actor: request.channel.actor, kind: "voucher.redeemed", subject: voucher.id,
        detail: JSONText.encode(pairs: [
          "redemption": redemption.id, "code": voucher.code,
          "order": request.orderSourceId ?? order.id,
          "amount": String(redemption.amount),
        ]))
    }
    let redemption: Redemption
    if let parentId {
      redemption = Redemption(
        id: parentId, parentId: nil, voucherId: nil, voucherCode: nil, customerId: customer?.id,
        order: order, amount: children.reduce(0) { $0 + $1.amount }, status: .succeeded,
        channel: request.channel, date: now, giftBalanceAfter: nil, rollbackId: nil,
        children: children)
    } else {
      redemption = children[0]
    }
    try store.insert(redemption)
    return redemption
  }

  /// The fence: what the redeem attempt keyed `attemptKey` made, or, when it made nothing,
  /// closes it so that its redeem, arriving later (stalled on a network or a disk), is
  /// refused with `.attemptClosed` and changes nothing.
  ///
  /// It is a write ordered with redemptions by the store's write lock, so "closed" and
  /// "made" can never both be true of one attempt: a read cannot give that, since a redeem
  /// still in flight may commit after the read. Idempotent: asking again gives the same
  /// answer. A retry after `.closed` is a new attempt with a new key.
  public func closeAttempt(key attemptKey: String) throws -> AttemptFence {
    guard !attemptKey.isEmpty else {
      throw Refusal(code: nil, reason: .invalidPayload("the attempt key is empty"))
    }
    try SafeText.check(attemptKey, field: "the attempt key")
    let now = clock.now()
    return try store.writeGrouped { store in
      if let record = try store.idempotencyRecord(key: attemptKey) {
        guard let redemption = try store.redemption(id: record.resultId) else {
          throw StoreError.corrupt("attempt \(attemptKey) points to a missing redemption")
        }
        return .made(redemption)
      }
      if try !store.isAttemptClosed(key: attemptKey) {
        try store.closeAttempt(key: attemptKey, at: now)
        try store.appendEvent(
          date: now, actor: nil, kind: "attempt.closed", subject: attemptKey, detail: "{}")
      }
      return .closed
    }
  }

  /// The earlier answer for an idempotency key, if the key was seen with this request.
  private static func replay(key: String, fingerprint: String, in store: any StoreTransaction)
    throws -> Redemption?
  {
    guard let record = try store.idempotencyRecord(key: key) else { return nil }
    guard record.fingerprint == fingerprint else {
      throw Refusal(
        code: nil,
        reason: .invalidPayload("the idempotency key \(key) was used for a different request"))
    }
    guard let redemption = try store.redemption(id: record.resultId) else {
      throw StoreError.corrupt("idempotency key \(key) points to a missing redemption")
    }
    return redemption
  }

  /// The earlier redemption of the same codes under the same order, if any.
  ///
  /// - Parameter known: receives the vouchers read on the way, by normalised code, for the
  ///   rules to use instead of reading them again.
  private static func replay(
    _ request: RedemptionRequest, order: String, in store: any StoreTransaction,
    reading known: inout [String: Voucher]
  ) throws -> Redemption? {
    var earlier: [Redemption] = []
    for entry in request.codes {
      let code = entry.code.normalizedCode
      guard let voucher = try store.voucher(code: code) else { continue }
      known[code] = voucher
      guard let redemption = try store.redemption(voucherId: voucher.id, orderSourceId: order)
      else { continue }
      earlier.append(redemption)
    }
    guard let first = earlier.first else { return nil }
    if earlier.count == request.codes.count {
      if request.codes.count == 1, first.parentId == nil { return first }
      if let parentId = first.parentId, earlier.allSatisfy({ $0.parentId == parentId }),
        let parent = try store.redemption(id: parentId), parent.children.count == earlier.count
      {
        return parent
      }
    }
    throw Refusal(
      code: first.voucherCode,
      reason: .invalidPayload(
        "\(first.voucherCode ?? "a code") was already redeemed on order \(order) in another request"
      ))
  }

  private static func fingerprint(_ request: RedemptionRequest) -> String {
    let codes = request.codes.map {
      "\($0.code.normalizedCode)=\($0.giftCredits.map(String.init) ?? "")"
    }
    let items = request.items.map { "\($0.sku)*\($0.quantity)@\($0.price)" }
    return JSONText.encode([
      codes.joined(separator: ","), request.customer ?? "", request.orderSourceId ?? "",
      items.joined(separator: ","),
    ])
  }

  // MARK: Lookups

  /// A redemption (a stacked parent comes with its children).
  public func redemption(id: String) throws -> Redemption? {
    try store.read { try $0.redemption(id: id) }
  }

  /// Redemptions matching every filter set in `query`, newest first.
  ///
  /// - Throws: `Refusal` when the code or customer named does not exist.
  public func redemptions(_ query: RedemptionQuery) throws -> [Redemption] {
    try store.read { store in
      var voucherId: String?
      if let code = query.code {
        guard let voucher = try store.voucher(code: code.normalizedCode) else {
          throw Refusal(code: code, reason: .notFound(code: code.normalizedCode))
        }
        voucherId = voucher.id
      }
      var customerId: String?
      if let reference = query.customer {
        guard let customer = try Self.resolveCustomer(reference, in: store) else {
          throw Refusal(code: nil, reason: .customerNotFound(reference: reference))
        }
        customerId = customer.id
      }
      return try store.redemptions(matching: query, customerId: customerId, voucherId: voucherId)
    }
  }

  /// The latest events, optionally about one subject (a voucher or customer id).
  public func events(subject: String? = nil, limit: Int = 100) throws -> [Event] {
    try store.read { try $0.events(subject: subject, limit: max(1, min(limit, 10_000))) }
  }

  /// True when the database holds no customer and no voucher yet. Unlike `counts()` it
  /// reads one row, whatever the size: the till asks at every start.
  public func isEmpty() throws -> Bool {
    try store.read { try $0.isEmpty() }
  }

  /// How much the database holds.
  public func counts() throws -> (customers: Int, vouchers: Int, redemptions: Int) {
    try store.read { try $0.counts() }
  }

  // MARK: Rollback and reactivation

  /// Undoes a redemption (every child of a stacked one): each voucher gets one use back and
  /// its gift credits, and counts one reactivation.
  ///
  /// - Throws: `Refusal` with `.redemptionNotFound`, `.alreadyRolledBack`, `.voucherExpired`
  ///   or `.reactivationLimitExceeded`.
  @discardableResult
  public func rollback(
    redemptionId: String, reason: String, by: String? = nil, idempotencyKey: String? = nil
  ) throws -> [Rollback] {
    let reason = try Self.checkedReason(reason, by: by)
    let now = clock.now()
    let fingerprint = "rollback:\(redemptionId)"
    return try store.write { store in
      if let key = idempotencyKey, let record = try store.idempotencyRecord(key: key) {
        guard record.fingerprint == fingerprint else {
          throw Refusal(
            code: nil,
            reason: .invalidPayload("the idempotency key \(key) was used for a different request"))
        }
        return try Self.rollbacks(of: record.resultId, in: store)
      }
      guard let redemption = try store.redemption(id: redemptionId) else {
        throw Refusal(code: nil, reason: .redemptionNotFound(id: redemptionId))
      }
      let parts = redemption.children.isEmpty ? [redemption] : redemption.children
      let done = try parts.map {
        try Self.rollBack($0, reason: reason, by: by, reactivating: false, store: store, now: now)
      }
      if !redemption.children.isEmpty {
        try store.markRolledBack(redemptionId: redemption.id, rollbackId: done[0].id)
      }
      if let key = idempotencyKey {
        try store.saveIdempotencyRecord(
          key: key, fingerprint: fingerprint, resultId: redemption.id, at: now)
      }
      return done
    }
  }

  /// Gives a used voucher one use back by rolling back its latest successful redemption.
  ///
  /// - Throws: `Refusal` with `.notFound`, `.voucherExpired`, `.voucherStillActive`,
  ///   `.voucherDisabled`, `.alreadyRolledBack` or `.reactivationLimitExceeded`.
  @discardableResult
  public func reactivate(code: String, reason: String, by: String? = nil) throws -> Rollback {
    let reason = try Self.checkedReason(reason, by: by)
    let now = clock.now()
    return try store.write { store in
      let code = code.normalizedCode
      guard let voucher = try store.voucher(code: code) else {
        throw Refusal(code: code, reason: .notFound(code: code))
      }
      if let end = voucher.expirationDate, now > end {
        throw Refusal(code: code, reason: .voucherExpired(expiredAt: end))
      }
      switch voucher.status(at: now) {
      case .used, .noBalance: break
      case .disabled: throw Refusal(code: code, reason: .voucherDisabled)
      default: throw Refusal(code: code, reason: .voucherStillActive)
      }
      guard let latest = try store.latestSucceededRedemption(voucherId: voucher.id) else {
        throw Refusal(code: code, reason: .alreadyRolledBack)
      }
      return try Self.rollBack(
        latest, reason: reason, by: by, reactivating: true, store: store, now: now)
    }
  }

  /// Undoes one redemption once. Only a reactivation counts against the voucher's
  /// reactivation limit; a plain rollback (Voucherify's) has no such limit.
  private static func rollBack(
    _ redemption: Redemption, reason: String, by: String?, reactivating: Bool,
    store: any StoreTransaction, now: Date
  ) throws -> Rollback {
    let code = redemption.voucherCode ?? ""
    guard redemption.status == .succeeded else {
      throw Refusal(code: code, reason: .alreadyRolledBack)
    }
    guard let voucherId = redemption.voucherId, let voucher = try store.voucher(id: voucherId)
    else {
      throw Refusal(code: code, reason: .notFound(code: code))
    }
    if let end = voucher.expirationDate, now > end {
      throw Refusal(code: code, reason: .voucherExpired(expiredAt: end))
    }
    if reactivating, voucher.reactivationCount >= voucher.reactivationLimit {
      throw Refusal(
        code: code, reason: .reactivationLimitExceeded(limit: voucher.reactivationLimit))
    }
    let credits: Int64 = if case .gift = voucher.kind { redemption.amount } else { 0 }
    try store.restoreUse(
      voucherId: voucher.id, giftCredits: credits, countingReactivation: reactivating, at: now)
    let rollback = Rollback(
      id: Identifiers.make("rr_"), redemptionId: redemption.id, voucherId: voucher.id,
      voucherCode: voucher.code, amount: redemption.amount, reason: reason, by: by, date: now,
      reactivationsLeft: voucher.reactivationLimit - voucher.reactivationCount
        - (reactivating ? 1 : 0))
    try store.insert(rollback)
    try store.markRolledBack(redemptionId: redemption.id, rollbackId: rollback.id)
    try store.appendEvent(
      date: now, actor: by, kind: "redemption.rolled_back", subject: voucher.id,
      detail: JSONText.encode([
        "redemption": redemption.id, "rollback": rollback.id, "reason": reason,
      ]))
    return rollback
  }

  private static func rollbacks(of redemptionId: String, in store: any StoreTransaction) throws
    -> [Rollback]
  {
    guard let redemption = try store.redemption(id: redemptionId) else { return [] }
    let parts = redemption.children.isEmpty ? [redemption] : redemption.children
    return try parts.compactMap { part in try part.rollbackId.flatMap { try store.rollback(id: $0) }
    }
  }

  private static func checkedReason(_ reason: String, by: String?) throws -> String {
    try SafeText.check(reason, field: "reason", allowingLineBreaks: true)
    try SafeText.check(by, field: "by")
    let text = reason.trimmingSpaces()
    guard !text.isEmpty, text.count <= 500 else {
      throw Refusal(code: nil, reason: .invalidPayload("a reason of 1–500 characters is required"))
    }
    return text
  }
}
