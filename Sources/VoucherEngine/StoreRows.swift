import Foundation

/// Each table's columns, the mapping of a row to the model, and of the model to a
/// statement's values: one place for both stores, whose tables have these columns by
/// these names (`SQLiteSchema`, `PostgreSQLSchema`). A mapping reads a row by position, so
/// every statement it maps selects these lists as they stand, and every write binds its
/// values in the list's order.
///
/// What differs between the stores stays in `SQLiteTransaction` and
/// `PostgreSQLTransaction`, or is named in `SQLDialect`: the SQL around these columns
/// (parameter marks, `rowid` and `seq`, collations, ON CONFLICT, cursors), how a flag is
/// kept (an integer in SQLite, a boolean in PostgreSQL: `StoreRow.bool` and
/// `SQLValue.boolean`), and PostgreSQL's read-ahead and held-back writes.
enum StoreRows {
  /// `a, b` as `alias.a, alias.b`.
  static func qualified(_ columns: String, _ alias: String) -> String {
    names(columns).map { "\(alias).\($0)" }.joined(separator: ", ")
  }

  static func names(_ columns: String) -> [String] {
    columns.split(separator: ",").map { $0.trimmingSpaces() }
  }

  // MARK: Customers

  /// What a read maps (`customer(from:)`).
  static let customerColumns = """
    id, source_id, name, email, phone, member_number, metadata, created_at, updated_at,
    description, address, birthdate, birthday
    """
  static let customerColumnCount = Int32(names(customerColumns).count)
  /// What a write sets (`customerValues`): also the folded email the lookups use.
  static let customerWriteColumns = """
    id, source_id, name, email, email_fold, phone, member_number, metadata, created_at,
    updated_at, description, address, birthdate, birthday
    """

  static func customer<R: StoreRow>(from row: R) throws -> Customer {
    Customer(
      id: row.text(0), sourceId: row.optionalText(1), name: row.optionalText(2),
      email: row.optionalText(3), phone: row.optionalText(4),
      memberNumber: row.optionalText(5), metadata: try JSONValue.stored(row.text(6)),
      description: row.optionalText(9), address: try row.optionalText(10).map(JSONValue.stored),
      birthdate: row.optionalText(11), birthday: row.optionalText(12),
      createdAt: row.date(7), updatedAt: row.date(8))
  }

  static func customerValues(_ customer: Customer) -> [SQLValue] {
    [
      .text(customer.id), .from(customer.sourceId), .from(customer.name), .from(customer.email),
      .from(customer.email.map(ContactText.foldEmail)), .from(customer.phone),
      .from(customer.memberNumber), .text(customer.metadata.jsonText),
      .from(customer.createdAt), .from(customer.updatedAt), .from(customer.description),
      .from(customer.address?.jsonText), .from(customer.birthdate), .from(customer.birthday),
    ]
  }

  // MARK: Vouchers

  /// Read and written alike (`voucher(from:)`, `voucherValues`).
  static let voucherColumns = """
    id, code, campaign, type, discount_type, percent_off_bp, amount_limit, amount_off,
    fixed_amount, gift_amount, gift_balance, currency, holder_id, start_date, expiration_date,
    active, quantity, redeemed_quantity, per_customer, min_order_amount, applicable_to,
    inapplicable_to, reactivation_limit, reactivation_count, metadata, created_at, updated_at,
    validity, aggregated_amount_limit, category, category_id, campaign_id, additional_info
    """
  static let voucherColumnCount = Int32(names(voucherColumns).count)

  /// A voucher from the first `voucherColumnCount` columns of `row`, in `voucherColumns`
  /// order.
  static func voucher<R: StoreRow>(from row: R) throws -> Voucher {
    let kind: VoucherKind
    if row.text(3) == "GIFT_VOUCHER" {
      kind = .gift(amount: row.int(9), balance: row.int(10))
    } else {
      switch row.optionalText(4) {
      case "PERCENT":
        kind = .discount(.percent(basisPoints: row.int(5), amountLimit: row.optionalInt(6)))
      case "AMOUNT": kind = .discount(.amount(row.int(7)))
      case "FIXED": kind = .discount(.fixed(row.int(8)))
      default: throw StoreError.corrupt("voucher \(row.text(1)) has no discount type")
      }
    }
    var voucher = Voucher(
      id: row.text(0), code: row.text(1), campaign: row.optionalText(2), kind: kind,
      currency: row.text(11), holderId: row.optionalText(12),
      startDate: row.optionalDate(13), expirationDate: row.optionalDate(14),
      active: row.bool(15), quantity: row.optionalInt(16), redeemedQuantity: row.int(17),
      perCustomer: row.optionalInt(18), minOrderAmount: row.optionalInt(19),
      applicableTo: try JSONText.decodeList(row.text(20)),
      inapplicableTo: try JSONText.decodeList(row.text(21)), reactivationLimit: row.int(22),
      reactivationCount: row.int(23), metadata: try JSONValue.stored(row.text(24)),
      createdAt: row.date(25), updatedAt: row.date(26))
    if let validity = row.optionalText(27) {
      voucher.validity = try JSONText.decode(ValidityRules.self, from: validity)
    }
    voucher.aggregatedAmountLimit = row.optionalInt(28)
    voucher.category = row.optionalText(29)
    voucher.categoryId = row.optionalText(30)
    voucher.campaignId = row.optionalText(31)
    voucher.additionalInfo = row.optionalText(32)
    return voucher
  }

  static func voucherValues(_ voucher: Voucher) -> [SQLValue] {
    var discountType: String?
    var percent: Int64?
    var limit: Int64?
    var amountOff: Int64?
    var fixed: Int64?
    var giftAmount: Int64?
    var giftBalance: Int64?
    switch voucher.kind {
    case .discount(.percent(let basisPoints, let amountLimit)):
      (discountType, percent, limit) = ("PERCENT", basisPoints, amountLimit)
    case .discount(.amount(let amount)): (discountType, amountOff) = ("AMOUNT", amount)
    case .discount(.fixed(let amount)): (discountType, fixed) = ("FIXED", amount)
    case .gift(let amount, let balance): (giftAmount, giftBalance) = (amount, balance)
    }
    return [
      .text(voucher.id), .text(voucher.code), .from(voucher.campaign), .text(voucher.kind.typeName),
      .from(discountType), .from(percent), .from(limit), .from(amountOff), .from(fixed),
      .from(giftAmount), .from(giftBalance), .text(voucher.currency), .from(voucher.holderId),
      .from(voucher.startDate), .from(voucher.expirationDate), .boolean(voucher.active),
      .from(voucher.quantity), .integer(voucher.redeemedQuantity), .from(voucher.perCustomer),
      .from(voucher.minOrderAmount), .text(JSONText.encode(voucher.applicableTo)),
      .text(JSONText.encode(voucher.inapplicableTo)), .integer(voucher.reactivationLimit),
      .integer(voucher.reactivationCount), .text(voucher.metadata.jsonText),
      .from(voucher.createdAt), .from(voucher.updatedAt),
      .from(voucher.validity.isEmpty ? nil : JSONText.encode(voucher.validity)),
      .from(voucher.aggregatedAmountLimit), .from(voucher.category), .from(voucher.categoryId),
      .from(voucher.campaignId), .from(voucher.additionalInfo),
    ]
  }

  // MARK: Export and issuance

  /// The export's row: the voucher's columns, then its holder's source id, email and member
  /// number and the date of its last use (each store's SELECT names them its own way).
  static func exportRow<R: StoreRow>(from row: R) throws -> ExportRow {
    let next = voucherColumnCount
    return ExportRow(
      voucher: try voucher(from: row), holderSourceId: row.optionalText(next),
      holderEmail: row.optionalText(next + 1), holderMemberNumber: row.optionalText(next + 2),
      lastUsed: row.optionalDate(next + 3))
  }

  /// The columns `issuedRow(from:)` maps, of `issued_vouchers i` joined with `customers c`
  /// and `vouchers v`.
  static let issuedColumns = "c.source_id, c.email, v.code, i.line"

  static func issuedRow<R: StoreRow>(from row: R) -> IssuedRow {
    IssuedRow(
      sourceId: row.optionalText(0), email: row.optionalText(1), code: row.text(2),
      line: Int(row.int(3)))
  }

  // MARK: Redemptions

  static let redemptionColumns = """
    id, parent_id, voucher_id, voucher_code, customer_id, order_id, order_source_id,
    order_amount, order_discount, order_gift, order_total, items, amount, gift_balance_after,
    status, terminal, cashier, date, rollback_id
    """
  static let redemptionColumnCount = names(redemptionColumns).count

  /// A redemption without its children (a stacked parent's are rows of their own).
  static func redemption<R: StoreRow>(from row: R) throws -> Redemption {
    guard let status = RedemptionStatus(rawValue: row.text(14)) else {
      throw StoreError.corrupt("redemption \(row.text(0)) has status \(row.text(14))")
    }
    let order = RedeemedOrder(
      id: row.text(5), sourceId: row.optionalText(6), amount: row.int(7),
      discountAmount: row.int(8), giftCredits: row.int(9), totalAmount: row.int(10),
      items: try JSONText.decode([CartItem].self, from: row.text(11)))
    return Redemption(
      id: row.text(0), parentId: row.optionalText(1), voucherId: row.optionalText(2),
      voucherCode: row.optionalText(3), customerId: row.optionalText(4), order: order,
      amount: row.int(12), status: status,
      channel: Channel(terminal: row.optionalText(15), cashier: row.optionalText(16)),
      date: row.date(17), giftBalanceAfter: row.optionalInt(13),
      rollbackId: row.optionalText(18), children: [])
  }

  /// One redemption's row; its children are rows of their own.
  static func redemptionValues(_ redemption: Redemption) -> [SQLValue] {
    let order = redemption.order
    return [
      .text(redemption.id), .from(redemption.parentId), .from(redemption.voucherId),
      .from(redemption.voucherCode), .from(redemption.customerId), .text(order.id),
      .from(order.sourceId), .integer(order.amount), .integer(order.discountAmount),
      .integer(order.giftCredits), .integer(order.totalAmount),
      .text(JSONText.encode(items: order.items)), .integer(redemption.amount),
      .from(redemption.giftBalanceAfter), .text(redemption.status.rawValue),
      .from(redemption.channel.terminal), .from(redemption.channel.cashier),
      .from(redemption.date), .from(redemption.rollbackId),
    ]
  }

  // MARK: Rollbacks

  static let rollbackColumns =
    "id, redemption_id, voucher_id, voucher_code, amount, reason, by_name, date, reactivations_left"

  static func rollback<R: StoreRow>(from row: R) -> Rollback {
    Rollback(
      id: row.text(0), redemptionId: row.text(1), voucherId: row.text(2),
      voucherCode: row.text(3), amount: row.int(4), reason: row.text(5), by: row.optionalText(6),
      date: row.date(7), reactivationsLeft: row.int(8))
  }

  static func rollbackValues(_ rollback: Rollback) -> [SQLValue] {
    [
      .text(rollback.id), .text(rollback.redemptionId), .text(rollback.voucherId),
      .text(rollback.voucherCode), .integer(rollback.amount), .text(rollback.reason),
      .from(rollback.by), .from(rollback.date), .integer(rollback.reactivationsLeft),
    ]
  }

  // MARK: Validation sessions

  /// What a read of one voucher's holds maps (`sessionLock(from:voucherId:)`).
  static let sessionLockColumns = "session_key, gift_credits, expires_at, created_at"
  /// What a write sets (`sessionLockValues`).
  static let sessionLockWriteColumns = "voucher_id, " + sessionLockColumns

  static func sessionLock<R: StoreRow>(from row: R, voucherId: String) -> SessionLock {
    SessionLock(
      voucherId: voucherId, key: row.text(0), giftCredits: row.int(1), expiresAt: row.date(2),
      createdAt: row.date(3))
  }

  static func sessionLockValues(_ lock: SessionLock) -> [SQLValue] {
    [
      .text(lock.voucherId), .text(lock.key), .integer(lock.giftCredits), .from(lock.expiresAt),
      .from(lock.createdAt),
    ]
  }

  // MARK: Events

  /// What a read maps (`event(from:)`); a write sets all but `seq`, which the store numbers.
  static let eventColumns = "seq, at, actor, kind, subject, detail"
  static let eventWriteColumns = "at, actor, kind, subject, detail"

  static func event<R: StoreRow>(from row: R) -> Event {
    Event(
      sequence: row.int(0), date: row.date(1), actor: row.optionalText(2), kind: row.text(3),
      subject: row.text(4), detail: row.text(5))
  }

  static func eventValues(
    date: Date, actor: String?, kind: String, subject: String, detail: String
  ) -> [SQLValue] {
    [.from(date), .from(actor), .text(kind), .text(subject), .text(detail)]
  }

  // MARK: Staff

  static let staffColumns =
    "name, role, salt, pin_hash, created_at, revoked_at, failed_attempts, locked_until"

  static func storedStaff<R: StoreRow>(from row: R) throws -> StoredStaffMember {
    guard let role = StaffRole(rawValue: row.text(1)) else {
      throw StoreError.corrupt("staff \(row.text(0)) has role \(row.text(1))")
    }
    return StoredStaffMember(
      member: StaffMember(
        name: row.text(0), role: role, createdAt: row.date(4), revokedAt: row.optionalDate(5)),
      salt: row.text(2), pinHash: row.text(3), failedAttempts: Int(row.int(6)),
      lockedUntil: row.optionalDate(7))
  }

  static func staffValues(_ staff: StoredStaffMember) -> [SQLValue] {
    [
      .text(staff.member.name), .text(staff.member.role.rawValue), .text(staff.salt),
      .text(staff.pinHash), .from(staff.member.createdAt), .from(staff.member.revokedAt),
      .integer(Int64(staff.failedAttempts)), .from(staff.lockedUntil),
    ]
  }

  // MARK: API keys

  static let keyColumns = "app_id, name, role, salt, token_hash, created_at, revoked_at"

  static func storedKey<R: StoreRow>(from row: R) throws -> StoredAPIKey {
    guard let role = APIRole(rawValue: row.text(2)) else {
      throw StoreError.corrupt("api key \(row.text(0)) has role \(row.text(2))")
    }
    return StoredAPIKey(
      key: APIKey(
        appId: row.text(0), name: row.text(1), role: role, createdAt: row.date(5),
        revokedAt: row.optionalDate(6)),
      salt: row.text(3), tokenHash: row.text(4))
  }

  static func keyValues(_ stored: StoredAPIKey) -> [SQLValue] {
    [
      .text(stored.key.appId), .text(stored.key.name), .text(stored.key.role.rawValue),
      .text(stored.salt), .text(stored.tokenHash), .from(stored.key.createdAt),
      .from(stored.key.revokedAt),
    ]
  }
}
