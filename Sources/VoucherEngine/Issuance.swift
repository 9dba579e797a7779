import Foundation

/// One customer row of a bulk issuance file.
public struct IssueRow: Equatable, Sendable {
  /// The line of the file the row starts on, for rejects and for the mapping's order.
  public var line: Int
  public var customer: CustomerDraft

  public init(line: Int, customer: CustomerDraft) {
    self.line = line
    self.customer = customer
  }
}

/// What one chunk of an issuance did.
public struct IssueChunkResult: Equatable, Sendable {
  /// Vouchers made now.
  public var issued = 0
  /// Rows whose customer already had this batch's voucher (a re-run, or a duplicate row).
  public var alreadyIssued = 0
  /// Rows refused, with their line and why.
  public var rejected: [(line: Int, reason: String)] = []

  public init() {}

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.issued == rhs.issued && lhs.alreadyIssued == rhs.alreadyIssued
      && lhs.rejected.map(\.line) == rhs.rejected.map(\.line)
      && lhs.rejected.map(\.reason) == rhs.rejected.map(\.reason)
  }
}

/// A row of an issuance mapping: who got which code.
public struct IssuedRow: Equatable, Sendable {
  public var sourceId: String?
  public var email: String?
  public var code: String
  public var line: Int
}

/// A voucher with its holder and last use, as exports need it.
public struct ExportRow: Equatable, Sendable {
  public var voucher: Voucher
  public var holderSourceId: String?
  public var holderEmail: String?
  public var holderMemberNumber: String?
  /// The latest successful redemption, if any.
  public var lastUsed: Date?
}

extension VoucherEngine {
  /// Issues one voucher from `template` to each customer of `rows`, in one transaction.
  ///
  /// Customers are upserted (by source id, else email). Idempotent per `batch`: a customer
  /// who already holds this batch's voucher gets nothing new, so re-running after a crash
  /// finishes the missing rows and issues nothing twice. A batch remembers its template; a
  /// re-run with a different one is refused.
  ///
  /// - Throws: `Refusal` with `.invalidPayload` for a template change under the same batch
  ///   name or a code pattern with no free codes left (batch-level problems). Problems of
  ///   single rows come back in `rejected` instead.
  @discardableResult
  public func issue(batch: String, template: VoucherDraft, rows: [IssueRow]) throws
    -> IssueChunkResult
  {
    let name = batch.trimmingSpaces()
    guard !name.isEmpty, name.count <= 200 else {
      throw Refusal(
        code: nil, reason: .invalidPayload("a batch name of 1–200 characters is required"))
    }
    var draft = template
    draft.code = nil
    draft.holder = nil
    try Self.check(draft)
    let pattern: CodePattern
    do { pattern = try CodePattern(draft.codePattern ?? "VP-####-####") } catch {
      throw Refusal(code: nil, reason: error)
    }
    let fingerprint = Self.fingerprint(draft)
    var checked: [(IssueRow, CustomerDraft)] = []
    var result = IssueChunkResult()
    for row in rows {
      do {
        guard row.customer.sourceId != nil || row.customer.email != nil else {
          throw Refusal(
            code: nil, reason: .invalidPayload("the row has neither source_id nor email"))
        }
        checked.append((row, try Self.checked(row.customer)))
      } catch let refusal as Refusal {
        result.rejected.append((row.line, CashierWords.sentence(for: refusal.reason)))
      }
    }
    let now = clock.now()
    var generator = SeededGenerator()
    return try store.write { store in
      if let started = try store.issuanceBatch(name: name) {
        guard started == fingerprint else {
          throw Refusal(
            code: nil,
            reason: .invalidPayload("batch \(name) was started with a different voucher template"))
        }
      } else {
        try store.createIssuanceBatch(name: name, fingerprint: fingerprint, at: now)
      }
      for (row, customerDraft) in checked {
        let customer: Customer
        let created: Bool
        do {
          (customer, created) = try Self.upsertNoting(
            customerDraft, actor: nil, store: store, now: now, logEvent: false)
        } catch let refusal as Refusal {
          result.rejected.append((row.line, CashierWords.sentence(for: refusal.reason)))
          continue
        }
        if !created, try store.issuedVoucher(batch: name, customerId: customer.id) != nil {
          result.alreadyIssued += 1
          continue
        }
        var voucher: Voucher?
        for _ in 0..<100 {
          var personal = draft
          personal.code = pattern.generate(using: &generator).normalizedCode
          do {
            voucher = try Self.insertVoucher(
              personal, holderId: customer.id, codeIsFresh: true, store: store, now: now)
            break
          } catch let error as any ConstraintReporting where error.isConstraint {
            continue  // the code is taken: draw another
          }
        }
        guard let voucher else {
          throw Refusal(
            code: nil,
            reason: .invalidPayload(
              "the pattern \(pattern.pattern) has no free codes left (it makes \(pattern.capacity)); make it longer"
            ))
        }
        try store.recordIssued(
          batch: name, customerId: customer.id, voucherId: voucher.id, line: row.line)
        result.issued += 1
      }
      try store.appendEvent(
        date: now, actor: "issue", kind: "vouchers.issued", subject: name,
        detail: JSONText.encode([
          "issued": String(result.issued), "already_issued": String(result.alreadyIssued),
          "rejected": String(result.rejected.count),
        ]))
      return result
    }
  }

  /// Calls `body` with every voucher of a batch and its holder, in file order.
  public func eachIssued(batch: String, _ body: (IssuedRow) throws -> Void) throws {
    try store.read { try $0.eachIssued(batch: batch, body) }
  }

  /// Calls `body` with every live voucher (created or used since `since`, when given),
  /// streamed from one read snapshot.
  public func eachExportRow(since: Date?, _ body: (ExportRow) throws -> Void) throws {
    try store.read { try $0.eachExportRow(createdSince: since, body) }
  }

  private static func fingerprint(_ draft: VoucherDraft) -> String {
    let kind: String
    switch draft.kind {
    case .discount(.percent(let basisPoints, let limit)): kind = "P\(basisPoints)/\(limit ?? -1)"
    case .discount(.amount(let amount)): kind = "A\(amount)"
    case .discount(.fixed(let amount)): kind = "F\(amount)"
    case .gift(let amount, _): kind = "G\(amount)"
    }
    let dates = [draft.startDate, draft.expirationDate].map {
      $0.map { "\($0.millisecondsSince1970)" } ?? "-"
    }
    return JSONText.encode([
      kind, draft.codePattern ?? "", draft.campaign ?? "", draft.currency,
      dates.joined(separator: "/"),
      "\(draft.quantity ?? -1)", "\(draft.perCustomer ?? -1)", "\(draft.minOrderAmount ?? -1)",
      draft.applicableTo.joined(separator: "|"), draft.inapplicableTo.joined(separator: "|"),
      JSONValue.object(draft.metadata.members.sorted { $0.key < $1.key }).jsonText,
    ])
  }
}

/// xoshiro256** seeded from the system generator: fast random codes for millions of
/// vouchers without a system call per character. Codes are checked for uniqueness anyway.
struct SeededGenerator: RandomNumberGenerator {
  private var state: (UInt64, UInt64, UInt64, UInt64)

  init() {
    var system = SystemRandomNumberGenerator()
    state = (system.next(), system.next(), system.next(), system.next() | 1)
  }

  mutating func next() -> UInt64 {
    let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
    let shifted = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= shifted
    state.3 = (state.3 << 45) | (state.3 >> 19)
    return result
  }
}
