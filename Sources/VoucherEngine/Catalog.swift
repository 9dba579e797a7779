import Foundation

/// Customers and vouchers in the project's JSON layout (the one `Assets/demo` uses), with
/// optional past redemptions and reactivations that are replayed through the real rules.
public struct Catalog: Decodable, Equatable, Sendable {
  public var currency: String?
  public var customers: [CatalogCustomer]
  public var vouchers: [CatalogVoucher]

  /// Reads a catalog; dates may be absolute (ISO 8601) or relative (`now+30d`, `now-2h`).
  ///
  /// - Throws: `CatalogError` naming the first malformed part.
  public static func load(from url: URL) throws -> Catalog {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw CatalogError(message: "cannot read \(url.path): \(error.localizedDescription)")
    }
    if let catalog = quickDecode(data) { return catalog }
    do {
      return try JSONDecoder().decode(Catalog.self, from: data)
    } catch let error as DecodingError {
      throw CatalogError(message: "\(url.lastPathComponent): \(Self.describe(error))")
    }
  }

  /// The catalog read with `JSONValue` and `JSONValueDecoder`, or nil for anything they
  /// refuse (they are stricter than `JSONDecoder`: `1.0` is no integer, a key may not repeat).
  ///
  /// `JSONDecoder` spent 2 ms of a cold start setting up its generic containers for these
  /// nested types, most of what `voucher-pos --demo` did before its first frame. Nil sends
  /// the caller to `JSONDecoder`, so a malformed file is still reported in its words and
  /// nothing unusual is read differently.
  static func quickDecode(_ data: Data) -> Catalog? {
    guard let document = try? JSONValue.parse(data) else { return nil }
    return try? JSONValueDecoder().decode(Catalog.self, from: document)
  }

  private static func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
      context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
    switch error {
    case .keyNotFound(let key, let context): return "\(path(context)).\(key.stringValue) is missing"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
      return "\(path(context)): \(context.debugDescription)"
    @unknown default: return "\(error)"
    }
  }

  /// Loads the catalog into `engine`: customers, then vouchers, then each voucher's history
  /// replayed at its own date. Returns what was created.
  ///
  /// - Parameter onReject: when given, a customer or voucher that fails is reported to it
  ///   (with its place in the file and why) and the rest go on; when nil, the first failure
  ///   throws.
  /// - Throws: `CatalogError` naming the voucher or customer that failed and why.
  @discardableResult
  public func apply(
    to engine: VoucherEngine, now: Date, onReject: ((String) -> Void)? = nil
  ) throws -> (customers: Int, vouchers: Int, redemptions: Int) {
    let replayClock = ManualClock(now)
    let replay = VoucherEngine(
      store: engine.store, clock: replayClock, defaultCurrency: engine.defaultCurrency)
    let utc = TimeZone(identifier: "UTC")!
    var loaded = (customers: 0, vouchers: 0, redemptions: 0)
    func reject(_ error: CatalogError) throws {
      guard let onReject else { throw error }
      onReject(error.message)
    }
    for (index, entry) in customers.enumerated() {
      do {
        replayClock.set(now)
        try replay.upsertCustomer(entry.draft, actor: "import")
        loaded.customers += 1
      } catch let refusal as Refusal {
        try reject(
          CatalogError(
            message:
              "customers[\(index)] (\(entry.source_id ?? entry.email ?? "?")): \(CashierWords.sentence(for: refusal.reason, timeZone: utc))"
          ))
      }
    }
    for (index, entry) in vouchers.enumerated() {
      func failure(_ detail: String) -> CatalogError {
        CatalogError(message: "vouchers[\(index)] (\(entry.code)): \(detail)")
      }
      do {
        replayClock.set(now)
        let draft = try entry.draft(currency: currency ?? engine.defaultCurrency, now: now)
        // The voucher and its history stand or fall together.
        let created = try replay.createVoucher(draft, actor: "import")
        var replayed = 0
        do {
          for past in entry.history ?? [] {
            replayClock.set(try RelativeDate.parse(past.date, now: now))
            let request = RedemptionRequest(
              codes: [CodeRequest(created.code, giftCredits: past.gift_credits)],
              customer: created.holderId, orderSourceId: past.order, items: past.items,
              channel: Channel(terminal: past.terminal, cashier: past.cashier))
            try replay.redeem(request)
            replayed += 1
          }
          for reactivation in entry.reactivations ?? [] {
            replayClock.set(try RelativeDate.parse(reactivation.date, now: now))
            try replay.reactivate(
              code: created.code, reason: reactivation.reason, by: reactivation.by)
          }
        } catch {
          // Keep the voucher only when its whole history went in.
          if onReject != nil { try? engine.deleteVoucher(code: created.code, actor: "import") }
          throw error
        }
        loaded.vouchers += 1
        loaded.redemptions += replayed
      } catch let refusal as Refusal {
        try reject(failure(CashierWords.sentence(for: refusal.reason, timeZone: utc)))
      } catch let error as CatalogError {
        try reject(failure(error.message))
      }
    }
    return loaded
  }
}

extension Catalog {
  /// Loads the catalog into `engine` like `apply(to:now:)`, but in one transaction: all of
  /// it or, on the first failure, none of it. A fresh database is seeded with one commit
  /// instead of one per customer, voucher and past redemption.
  ///
  /// - Throws: `CatalogError` naming the voucher or customer that failed and why, or the
  ///   store's error; nothing is kept.
  @discardableResult
  ///
  /// - Parameter also: more work for the same transaction (a demo's staff), run after.
  public func applyInOneTransaction(
    to engine: VoucherEngine, now: Date, also: ((VoucherEngine) throws -> Void)? = nil
  ) throws -> (customers: Int, vouchers: Int, redemptions: Int) {
    try engine.store.write { transaction in
      let joined = VoucherEngine(
        store: JoinedTransaction(transaction), clock: engine.clock,
        defaultCurrency: engine.defaultCurrency)
      let counts = try apply(to: joined, now: now)
      try also?(joined)
      return counts
    }
  }
}

/// A store whose reads and writes all join one transaction that is already open, so the
/// engine's rules (each of which asks for a transaction of its own) can run inside it.
/// A write that throws leaves its changes in place: only the caller's own rollback, when
/// the error reaches it, undoes them, which is why `applyInOneTransaction` offers no
/// `onReject`.
///
/// `@unchecked Sendable`: it exists only inside the `write` body that owns the transaction
/// and never leaves that thread.
private final class JoinedTransaction: VoucherStore, @unchecked Sendable {
  private let transaction: any StoreTransaction

  init(_ transaction: any StoreTransaction) { self.transaction = transaction }

  func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T { try body(transaction) }
  func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T { try body(transaction) }
  func writeGrouped<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try body(transaction)
  }
}

/// A catalog that cannot be read or applied.
public struct CatalogError: Error, Equatable, Sendable, CustomStringConvertible {
  public let message: String
  public init(message: String) { self.message = message }
  public var description: String { message }
}

// Field names follow the JSON (Voucherify's snake_case), hence the underscores.
// swift-format-ignore: AlwaysUseLowerCamelCase
public struct CatalogCustomer: Decodable, Equatable, Sendable {
  public var source_id: String?
  public var name: String?
  public var email: String?
  public var phone: String?
  public var member_number: String?
  public var metadata: [String: String]?

  var draft: CustomerDraft {
    CustomerDraft(
      sourceId: source_id, name: name, email: email, phone: phone, memberNumber: member_number,
      metadata: metadata.map(JSONValue.init(strings:)))
  }
}

// swift-format-ignore: AlwaysUseLowerCamelCase
public struct CatalogVoucher: Decodable, Equatable, Sendable {
  public struct DiscountSpec: Decodable, Equatable, Sendable {
    public var type: String
    public var percent_off: Decimal?
    public var amount_limit: Int64?
    public var amount_off: Int64?
    public var fixed_amount: Int64?
  }
  public struct GiftSpec: Decodable, Equatable, Sendable {
    public var amount: Int64
  }
  public struct RedemptionSpec: Decodable, Equatable, Sendable {
    public var quantity: Int64?
    public var per_customer: Int64?
  }
  public struct RulesSpec: Decodable, Equatable, Sendable {
    public var min_order_amount: Int64?
    public var applicable_to: [String]?
    public var inapplicable_to: [String]?
  }
  public struct PastRedemption: Decodable, Equatable, Sendable {
    public var order: String
    public var date: String
    public var terminal: String?
    public var cashier: String?
    public var items: [CartItem]
    public var gift_credits: Int64?
  }
  public struct PastReactivation: Decodable, Equatable, Sendable {
    public var date: String
    public var reason: String
    public var by: String?
  }

  public var code: String
  public var campaign: String?
  public var type: String
  public var discount: DiscountSpec?
  public var gift: GiftSpec?
  public var customer: String?
  public var start_date: String?
  public var expiration_date: String?
  public var active: Bool?
  public var redemption: RedemptionSpec?
  public var rules: RulesSpec?
  public var reactivation_limit: Int64?
  public var metadata: [String: String]?
  public var history: [PastRedemption]?
  public var reactivations: [PastReactivation]?

  /// The voucher as a draft, relative dates resolved against `now`.
  public func draft(currency: String, now: Date) throws -> VoucherDraft {
    let kind: VoucherKind
    switch (type, discount, gift) {
    case ("GIFT_VOUCHER", nil, let gift?):
      kind = .gift(amount: gift.amount, balance: gift.amount)
    case ("DISCOUNT_VOUCHER", let spec?, nil):
      kind = .discount(try spec.discount())
    default:
      throw CatalogError(
        message: "a DISCOUNT_VOUCHER needs “discount”, a GIFT_VOUCHER needs “gift”")
    }
    return VoucherDraft(
      code: code, campaign: campaign, kind: kind, currency: currency, holder: customer,
      startDate: try start_date.map { try RelativeDate.parse($0, now: now) },
      expirationDate: try expiration_date.map { try RelativeDate.parse($0, now: now) },
      active: active ?? true, quantity: redemption?.quantity, perCustomer: redemption?.per_customer,
      minOrderAmount: rules?.min_order_amount, applicableTo: rules?.applicable_to ?? [],
      inapplicableTo: rules?.inapplicable_to ?? [], reactivationLimit: reactivation_limit ?? 3,
      metadata: JSONValue(strings: metadata ?? [:]))
  }
}

extension CatalogVoucher.DiscountSpec {
  func discount() throws -> Discount {
    switch type {
    case "PERCENT":
      guard let percent = percent_off else {
        throw CatalogError(message: "PERCENT needs percent_off")
      }
      return .percent(basisPoints: try Self.basisPoints(percent), amountLimit: amount_limit)
    case "AMOUNT":
      guard let amount = amount_off else { throw CatalogError(message: "AMOUNT needs amount_off") }
      return .amount(amount)
    case "FIXED":
      guard let amount = fixed_amount else {
        throw CatalogError(message: "FIXED needs fixed_amount")
      }
      return .fixed(amount)
    default:
      throw CatalogError(message: "discount type \(type) is not PERCENT, AMOUNT or FIXED")
    }
  }

  /// 12.5 → 1250, exactly (Decimal, never Double); more than two decimals is an error.
  public static func basisPoints(_ percent: Decimal) throws -> Int64 {
    var scaled = percent * 100
    var rounded = Decimal()
    NSDecimalRound(&rounded, &scaled, 0, .plain)
    guard rounded == scaled, rounded >= 0, rounded <= 10_000 else {
      throw CatalogError(message: "percent_off \(percent) must be 0–100 with at most two decimals")
    }
    return NSDecimalNumber(decimal: rounded).int64Value
  }
}

/// Dates written absolute (`2026-12-31T23:59:59Z`) or relative to now (`now+30d`, `now-2h`).
public enum RelativeDate {
  public static func parse(_ text: String, now: Date) throws -> Date {
    if text.hasPrefix("now") {
      let rest = text.dropFirst(3)
      if rest.isEmpty { return now }
      guard let sign = rest.first, sign == "+" || sign == "-", let unit = rest.last,
        let count = Int(rest.dropFirst().dropLast()), count >= 0
      else { throw CatalogError(message: "“\(text)” is not like now+30d or now-2h") }
      let seconds: Int
      switch unit {
      case "d": seconds = count * 86_400
      case "h": seconds = count * 3_600
      case "m": seconds = count * 60
      default: throw CatalogError(message: "“\(text)”: the unit must be d, h or m")
      }
      return now.addingTimeInterval(TimeInterval(sign == "+" ? seconds : -seconds))
    }
    if let date = try? Date(text, strategy: .iso8601) { return date }
    if let date = try? Date(text + "T00:00:00Z", strategy: .iso8601) { return date }
    throw CatalogError(
      message: "“\(text)” is not a date (2026-12-31, 2026-12-31T23:59:59Z or now+30d)")
  }
}

/// Where the demo catalog lives: `$VOUCHER_POS_DEMO_DATA`, or `Assets/demo/demo.json` found
/// next to the source tree or above the running executable (a `swift run` build).
public enum DemoCatalog {
  public static func locate(executablePath: String = CommandLine.arguments.first ?? "") -> URL? {
    let fileManager = FileManager.default
    // getenv, not ProcessInfo.environment: that copies the whole environment, a cost
    // voucher-pos --demo pays before its first frame.
    if let override = getenv("VOUCHER_POS_DEMO_DATA") {
      return URL(fileURLWithPath: String(cString: override))
    }
    var candidates: [URL] = []
    var directory = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
      .deletingLastPathComponent()
    for _ in 0..<8 {
      candidates.append(directory.appendingPathComponent("Assets/demo/demo.json"))
      directory = directory.deletingLastPathComponent()
    }
    // The package root as compiled: Sources/VoucherEngine/Catalog.swift → ../../Assets.
    let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(sourceRoot.appendingPathComponent("Assets/demo/demo.json"))
    return candidates.first { fileManager.fileExists(atPath: $0.path) }
  }
}
