import Foundation

/// Where the engine keeps its data. The rules talk to this protocol only, so another
/// database (PostgreSQL) can stand in without touching them.
///
/// A store guarantees that `write` bodies run one at a time across every connection and
/// process sharing the data (`writeLocking` bodies, redemptions, only beside others that
/// lock none of the same vouchers and keys), and that every write returns only after the
/// change is durable.
public protocol VoucherStore: Sendable {
  /// Runs `body` against committed data: on SQLite one consistent snapshot for the whole
  /// body; on PostgreSQL a snapshot per statement (no write is ever seen half done, but a
  /// later statement may see a write that committed after an earlier one ran).
  func read<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
  /// Runs `body` in one exclusive, all-or-nothing, durable transaction. A thrown error
  /// rolls everything back.
  func write<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
  /// Like `write`, but may share one transaction (and one fsync) with writes running
  /// concurrently; `body` is still all-or-nothing on its own and durable on return.
  func writeGrouped<T>(_ body: (any StoreTransaction) throws -> T) throws -> T
  /// Like `writeGrouped`, for a write that changes only the vouchers with these codes and
  /// the records of these idempotency keys (a redemption): a store may run it at the same
  /// time as other such writes that name none of the same vouchers or keys, and one at a
  /// time with every other write. Its body reads what it checks only after the store has
  /// locked those vouchers and keys, so a read-check-write stays exact.
  ///
  /// - Parameters:
  ///   - codes: normalised voucher codes (unknown ones lock nothing).
  ///   - keys: idempotency (attempt) keys.
  ///   - customer: the customer reference the body resolves (read along, not locked).
  ///   - order: the order source id the body looks its earlier redemptions up by.
  func writeLocking<T>(
    codes: [String], keys: [String], customer: String?, order: String?,
    _ body: (any StoreTransaction) throws -> T
  ) throws -> T
}

extension VoucherStore {
  /// Stores without group commit write alone.
  public func writeGrouped<T>(_ body: (any StoreTransaction) throws -> T) throws -> T {
    try write(body)
  }

  /// Stores whose writes all take one lock group them as any other write.
  public func writeLocking<T>(
    codes: [String], keys: [String], customer: String?, order: String?,
    _ body: (any StoreTransaction) throws -> T
  ) throws -> T {
    try writeGrouped(body)
  }
}

/// The operations the rules need inside one transaction.
public protocol StoreTransaction {
  /// Says which customer (by reference: an id, source id or email) and which vouchers (by
  /// normalised code) the body reads next, so that a store whose every read is a round trip
  /// to a server may read them together. Changes no answer of any other method.
  func prefetch(customer reference: String?, codes: [String]) throws
  func customer(id: String) throws -> Customer?
  func customer(sourceId: String) throws -> Customer?
  func customer(email: String) throws -> Customer?
  func customers(phone: String, limit: Int) throws -> [Customer]
  func customers(memberNumber: String, limit: Int) throws -> [Customer]
  /// Customers with a name word starting with `wordPrefix` (folded).
  func customers(nameWordPrefix wordPrefix: String, limit: Int) throws -> [Customer]
  /// Every customer, oldest first, from the `offset`th.
  func customers(offset: Int, limit: Int) throws -> [Customer]
  /// Customers matching every filter of `query`, in its order, with its paging; and how many
  /// match in all.
  func customers(matching query: CustomerQuery) throws -> (customers: [Customer], total: Int)
  func insert(_ customer: Customer) throws
  func update(_ customer: Customer) throws
  /// Deletes a customer: no lookup finds it again, and its source id and email are free.
  /// Its redemptions keep its id.
  func deleteCustomer(id: String, at date: Date) throws

  /// A live (not deleted) voucher by its normalised code.
  func voucher(code: String) throws -> Voucher?
  func voucher(id: String) throws -> Voucher?
  /// Whether a code was ever used, deleted vouchers included.
  func codeExists(_ code: String) throws -> Bool
  func insert(_ voucher: Voucher) throws
  func update(_ voucher: Voucher) throws
  func markDeleted(voucherId: String, at date: Date) throws
  func vouchers(holderId: String) throws -> [Voucher]
  /// Live vouchers, oldest first, with paging.
  func vouchers(limit: Int, offset: Int) throws -> [Voucher]
  /// Live vouchers matching every filter of `query`, in its order, with its paging; and how
  /// many match in all.
  func vouchers(matching query: VoucherQuery) throws -> (vouchers: [Voucher], total: Int)
  /// Rollbacks of a voucher's redemptions, oldest first.
  func rollbacks(voucherId: String) throws -> [Rollback]

  /// Adds one use (and spends `giftCredits`) only if a use and the credits are still there.
  /// Returns false when another transaction got there first.
  func consumeUse(voucherId: String, giftCredits: Int64, at date: Date) throws -> Bool
  /// Gives one use back (and `giftCredits`); a reactivation also counts one against the
  /// voucher's reactivation limit, a plain rollback does not.
  func restoreUse(voucherId: String, giftCredits: Int64, countingReactivation: Bool, at date: Date)
    throws

  func insert(_ redemption: Redemption) throws
  func redemption(id: String) throws -> Redemption?
  /// The redemption of this voucher under this order, if any.
  func redemption(voucherId: String, orderSourceId: String) throws -> Redemption?
  func redemptions(matching query: RedemptionQuery, customerId: String?, voucherId: String?) throws
    -> [Redemption]
  func succeededRedemptionCount(voucherId: String, customerId: String) throws -> Int64
  func latestSucceededRedemption(voucherId: String) throws -> Redemption?
  func markRolledBack(redemptionId: String, rollbackId: String) throws
  func insert(_ rollback: Rollback) throws
  func rollback(id: String) throws -> Rollback?

  /// The stored answer for an idempotency key: a fingerprint of the request and the id of
  /// what it produced.
  func idempotencyRecord(key: String) throws -> (fingerprint: String, resultId: String)?
  func saveIdempotencyRecord(key: String, fingerprint: String, resultId: String, at date: Date)
    throws

  /// Every hold of validation sessions on a voucher, expired ones included.
  func sessionLocks(voucherId: String) throws -> [SessionLock]
  /// Stores a hold, replacing the session's earlier hold on the same voucher.
  func putSessionLock(_ lock: SessionLock) throws
  /// Removes one session's hold; false when there was none.
  func deleteSessionLock(voucherId: String, key: String) throws -> Bool
  /// Removes the holds on a voucher that expired at or before `date`.
  func deleteSessionLocks(voucherId: String, expiredBy date: Date) throws

  /// Whether the fence closed the redeem attempt with this key.
  func isAttemptClosed(key: String) throws -> Bool
  /// Closes a redeem attempt: its redeem, arriving later, is refused. Closing twice is one
  /// close. Only called inside a write, after checking the attempt made nothing.
  func closeAttempt(key: String, at date: Date) throws

  func appendEvent(date: Date, actor: String?, kind: String, subject: String, detail: String)
    throws
  func events(subject: String?, limit: Int) throws -> [Event]

  /// The template fingerprint a batch was started with, if it exists.
  func issuanceBatch(name: String) throws -> String?
  func createIssuanceBatch(name: String, fingerprint: String, at date: Date) throws
  /// The voucher id already issued to this customer in this batch, if any.
  func issuedVoucher(batch: String, customerId: String) throws -> String?
  func recordIssued(batch: String, customerId: String, voucherId: String, line: Int) throws
  /// Every voucher of a batch with its holder, in file order: the mapping a store sends from.
  func eachIssued(batch: String, _ body: (IssuedRow) throws -> Void) throws

  /// Every live voucher for an export, oldest first, with its holder and last use.
  func eachExportRow(createdSince: Date?, _ body: (ExportRow) throws -> Void) throws

  /// REST API keys (salted token hashes, never tokens).
  func insert(_ key: StoredAPIKey) throws
  func apiKey(appId: String) throws -> StoredAPIKey?
  /// Every key, oldest first, revoked ones included.
  func apiKeys() throws -> [StoredAPIKey]
  /// Marks a live key revoked; false when there is none with this app id.
  func revokeAPIKey(appId: String, at date: Date) throws -> Bool

  /// True when there is no customer and no voucher (cheap on any size: no counting).
  func isEmpty() throws -> Bool
  /// Counts for `seed` and `status`: customers, vouchers, redemptions.
  func counts() throws -> (customers: Int, vouchers: Int, redemptions: Int)

  // MARK: Staff

  /// The member of staff with this name (ASCII case ignored), revoked ones included.
  func staffMember(name: String) throws -> StoredStaffMember?
  /// Every member of staff, oldest first, revoked ones included.
  func staffMembers() throws -> [StoredStaffMember]
  /// Adds a member, or replaces the one with the same name (ASCII case ignored) whole.
  func saveStaffMember(_ staff: StoredStaffMember) throws
  /// Marks a live member revoked; false when there is none with this name.
  func revokeStaffMember(name: String, at date: Date) throws -> Bool
  /// Records the count of wrong PINs in a row and the end of a lockout (nil: none).
  func setStaffPINFailures(name: String, count: Int, lockedUntil: Date?) throws

  // MARK: Search

  /// One page of the customers matching any part of `search`, each once, in its order
  /// (pinned ids, member numbers without prefix, email local parts, phone digits, name
  /// words), and, when `counting`, how many distinct customers match in all (exact; nil
  /// when not counting, which saves a scan of every match).
  func searchCustomers(_ search: CustomerSearch, offset: Int, limit: Int, counting: Bool)
    throws -> (customers: [Customer], total: Int?)
}

extension StoreTransaction {
  /// Stores whose reads are cheap read each thing when asked.
  public func prefetch(customer reference: String?, codes: [String]) throws {}
}
