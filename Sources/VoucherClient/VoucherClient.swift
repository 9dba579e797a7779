import Foundation
import VoucherEngine

/// What a till needs from a voucher backend: the embedded engine (`LocalClient`) or a
/// remote REST endpoint. Screens and the CLI talk to this protocol only.
///
/// Every call is async and may be made from any task; errors are always `ClientError`, so
/// the UI has one place that turns them into a cashier's words.
///
/// A worked example, the till's redeem with its deadline:
/// ```swift
/// let client: any VoucherClient = try LocalClient(path: "/var/lib/voucher-pos/engine.sqlite")
/// let request = RedemptionRequest(
///   codes: [CodeRequest("ALICE-10OFF-2026")], customer: "customer-123",
///   orderSourceId: "T02-1a2b3c4d-0123",  // one order id per sale
///   items: [CartItem(sku: "prod_1", quantity: 1, price: 25900)])
/// // One key per try: a try closed by the fence never lands, a re-sent try never doubles.
/// let attempt = RedeemAttempt(
///   key: RedeemAttempt.key(orderId: "T02-1a2b3c4d-0123", number: 1), request: request,
///   sentAt: Date())
/// do {
///   let outcome = try await client.redeem(attempt, deadline: Date().addingTimeInterval(60))
///   print("redeemed", outcome.redemption.id)
/// } catch .outcomeUnknown {
///   // No answer in time: it may or may not have been redeemed. Ask; never re-send first.
///   switch try await client.resolve(attempt) {
///   case .made(let redemption): print("redeemed after all", redemption.id)
///   case .notMade: print("not redeemed: a new attempt is safe")
///   case .unknown(let why): print("not known yet:", why)  // ask again later
///   }
/// } catch .rejected(let refusal) {
///   print(CashierWords.sentence(for: refusal.reason))
/// }
/// ```
///
/// Each client says in `capabilities` what its back end guarantees; `resolve` never answers
/// `.notMade` on the strength of a read alone.
public protocol VoucherClient: Sendable {
  /// Where the data lives, for the status bar: a file path or an endpoint URL.
  var backendDescription: String { get }

  /// What this back end can do and guarantee.
  var capabilities: BackendCapabilities { get }

  /// Contacts matching what the cashier typed (name prefix, email, phone, member number,
  /// source id). Several matches are a normal answer.
  func findContacts(_ query: String, limit: Int) async throws(ClientError) -> [Customer]

  /// One page of the contacts matching `query`, and how many match in all (nil where the
  /// back end does not say).
  func findContacts(_ query: String, limit: Int, offset: Int) async throws(ClientError)
    -> (contacts: [Customer], total: Int?)

  /// One contact by id, source id or email.
  func contact(_ reference: String) async throws(ClientError) -> Customer?

  /// A contact's vouchers under one tab, with every tab's count.
  func vouchers(of customerId: String, filter: VoucherFilter, page: Int, limit: Int)
    async throws(ClientError) -> VoucherPage

  /// One voucher by code (a code typed or scanned without a contact).
  func voucher(code: String) async throws(ClientError) -> Voucher?

  /// Checks codes against a cart; changes nothing. Refusals of single codes come back in
  /// the result.
  func validate(_ request: RedemptionRequest) async throws(ClientError) -> ValidationResult

  /// Redeems all codes of the attempt's request or none, exactly once per (voucher, order)
  /// and once per attempt key.
  ///
  /// - Parameter deadline: when no answer has come by then, throws `.outcomeUnknown`: the
  ///   redemption may still be made. Callers then `resolve` the attempt; they never re-send.
  /// - Throws: `.rejected` when a rule refused (or the fence had closed the attempt);
  ///   `.outcomeUnknown` past the deadline or when the answer was lost.
  func redeem(_ attempt: RedeemAttempt, deadline: Date) async throws(ClientError)
    -> RedeemOutcome

  /// What became of an attempt whose answer did not come, decided by the back end's
  /// guarantee (`capabilities.redeemGuarantee`): `.notMade` only when the attempt can never
  /// land. Safe to call again and again; a failure to ask is thrown and means "still unknown".
  func resolve(_ attempt: RedeemAttempt) async throws(ClientError) -> AttemptResolution

  /// The redemptions made under one order (transaction) id.
  func redemptions(ofOrder orderSourceId: String) async throws(ClientError) -> [Redemption]

  /// The sales one till made between two instants, newest first: a stacked sale as its
  /// parent with its parts (the day's sales screen). Only where
  /// `capabilities.listsDaysSales`.
  func sales(terminal: String, from start: Date, to end: Date) async throws(ClientError)
    -> [Redemption]

  /// What happened to a voucher (uses, uses given back), newest first; nil when the back
  /// end cannot tell.
  func history(code: String) async throws(ClientError) -> [VoucherHistoryEntry]?

  /// Rolls back every redemption of one sale in one step (a void), with a reason.
  func void(redemptionId: String, reason: String, by: String?) async throws(ClientError)
    -> [Rollback]

  /// Gives a used voucher one use back (support role).
  func reactivate(code: String, reason: String, by: String?) async throws(ClientError) -> Rollback

  /// The role the back end grants this client's key; nil when it does not say (a local
  /// database has no key; some dialects have no such question).
  func grantedRole() async throws(ClientError) -> APIRole?

  /// Checks a member of staff's PIN where the back end keeps staff (a local database); a
  /// remote back end's key decides instead (`.notKept`).
  func checkStaffPIN(name: String, pin: String) async throws(ClientError) -> StaffPINCheck

  /// Whether the backend answers now.
  func isReachable() async -> Bool
}

/// The answer to a staff PIN.
public enum StaffPINCheck: Equatable, Sendable {
  /// The PIN is this member's.
  case accepted(StaffMember)
  /// An unknown or revoked name, or a wrong PIN: which is not said.
  case refused
  /// Too many wrong PINs: none is checked for this name until then.
  case lockedOut(until: Date)
  /// This back end keeps no staff.
  case notKept
}

extension VoucherClient {
  /// Back ends that page no search: the first page, with no total.
  public func findContacts(_ query: String, limit: Int, offset: Int) async throws(ClientError)
    -> (contacts: [Customer], total: Int?)
  {
    guard offset == 0 else { return ([], nil) }
    return (try await findContacts(query, limit: limit), nil)
  }

  /// Back ends that list no day's sales say so.
  public func sales(terminal: String, from start: Date, to end: Date) async throws(ClientError)
    -> [Redemption]
  {
    throw .notAllowed("this voucher system does not list a till's sales")
  }

  /// Back ends that keep no history to read say so (nil: not known).
  public func history(code: String) async throws(ClientError) -> [VoucherHistoryEntry]? { nil }

  /// Back ends that do not say which role a key has.
  public func grantedRole() async throws(ClientError) -> APIRole? { nil }

  /// Back ends that keep no staff.
  public func checkStaffPIN(name: String, pin: String) async throws(ClientError)
    -> StaffPINCheck
  { .notKept }

  /// Back ends with no void say so.
  public func void(redemptionId: String, reason: String, by: String?) async throws(ClientError)
    -> [Rollback]
  {
    throw .notAllowed("this voucher system cannot void a sale")
  }
}

/// Every way a client call can fail, typed so the UI can say the right thing.
public enum ClientError: Error, Equatable, Sendable {
  /// A voucher rule (or the request's shape) refused it; nothing changed.
  case rejected(Refusal)
  /// The backend could not be reached; the request did not take effect.
  case unreachable(String)
  /// A read did not answer in time; nothing changed.
  case timedOut
  /// A redeem did not answer before its deadline: it may or may not have been made.
  case outcomeUnknown(orderSourceId: String)
  /// The backend failed in a way the cashier cannot fix (database error, server error).
  case backendFailed(String)
  /// The credentials were refused, or the role may not do this.
  case notAllowed(String)
}

extension ClientError {
  /// The sentence a cashier reads for this error.
  public func cashierSentence(currency: String = "SEK", timeZone: TimeZone = .current) -> String {
    switch self {
    case .rejected(let refusal):
      CashierWords.sentence(for: refusal.reason, currency: currency, timeZone: timeZone)
        + (refusal.note.map { " " + $0 } ?? "")
    case .unreachable:
      "The voucher system cannot be reached. Check the network and try again."
    case .timedOut:
      "The voucher system did not answer in time. Try again."
    case .outcomeUnknown:
      "No answer in time: checking whether the voucher was used."
    case .backendFailed(let detail):
      "The voucher system failed: \(detail)"
    case .notAllowed(let detail):
      "Not allowed: \(detail)"
    }
  }
}
