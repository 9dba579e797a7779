import Foundation
import VoucherClient
import VoucherEngine

/// Everything that can happen to the till: keys, time, and answers from the backend (named
/// in the past tense: they report what happened).
public enum Action: Equatable, Sendable {
  case key(Key)
  case command(Command)
  /// The clock moved; drives the countdown, the redeem deadline and asking again.
  case tick(Date)
  /// The endpoint's health check came back.
  case backendChecked(answers: Bool)
  /// The role the back end grants the till's key (nil: it does not say), and what the back
  /// end can do as now known (nil: unchanged). A server down at start is learnt this way
  /// once it answers.
  case roleReported(Result<APIRole?, ClientError>, capabilities: BackendCapabilities? = nil)
  case staffPINChecked(Result<StaffPINCheck, ClientError>)

  case queryEdited(String)
  case codeEdited(String)
  case lineEdited(String)
  /// The customer reference typed on the cart of a back end without contact lookup.
  case customerReferenceEdited(String)
  case reasonEdited(String)

  case contactsFound(query: String, Result<[Customer], ClientError>)
  /// A page of a search: its contacts from `offset`, and how many match in all.
  case contactPageFound(query: String, offset: Int, Result<ContactPage, ClientError>)
  case vouchersLoaded(customerId: String, filter: VoucherFilter, Result<VoucherPage, ClientError>)
  case codeLookedUp(Sale.Code, Result<Voucher?, ClientError>)
  case holderLoaded(Sale.Code, Result<Customer?, ClientError>)
  case validated(orderId: String, Result<ValidationResult, ClientError>)
  /// The answer to the redeem of the attempt keyed `attempt`.
  case redeemResponded(attempt: String, Result<RedeemOutcome, ClientError>)
  /// The journal could not record the attempt, so it was not sent.
  case journalFailed(attempt: String, String)
  case deadlinePassed(attempt: String)
  /// What the back end said about an attempt whose answer did not come.
  case resolved(attempt: String, Result<AttemptResolution, ClientError>)
  case reactivated(Result<Rollback, ClientError>)
  case salesLoaded(Result<[Redemption], ClientError>)
  case voucherDetailLoaded(code: String, Result<VoucherDetail, ClientError>)
  case voidReasonEdited(String)
  case voided(redemptionId: String, Result<[Rollback], ClientError>)
  /// What became of a receipt's file (and print).
  case receiptFiled(orderId: String, Notice)
}

/// Work the reducer asks the runtime to do. Each finishes by feeding an action back.
public enum Effect: Equatable, Sendable {
  case findContacts(String)
  /// The next page of a search (↓ past the end, PgDn).
  case findMoreContacts(String, offset: Int)
  case loadVouchers(customerId: String, filter: VoucherFilter)
  case lookUpCode(Sale.Code)
  /// The contact a scanned voucher is bound to, to offer attaching them.
  case loadHolder(Sale.Code, holderId: String)
  case validate(RedemptionRequest)
  /// Write the attempt to the journal (synced), then send it. `entry` is what the journal
  /// keeps for a later run to resolve it.
  case redeem(JournalAttempt, deadline: Date)
  /// Report `.deadlinePassed` at this date (ticks report it too; the reducer takes the first).
  case startDeadline(attempt: String, Date)
  /// Ask the back end what became of the attempt (the fence, where there is one).
  case resolve(RedeemAttempt)
  /// Append what became of an attempt to the journal.
  case recordOutcome(attempt: String, JournalOutcome)
  case reactivate(code: String, reason: String, by: String?)
  /// A voucher with its history and holder, for the detail screen.
  case loadVoucherDetail(code: String)
  /// This till's sales between two instants.
  case loadSales(terminal: String, from: Date, to: Date)
  /// Write a sale's receipt (and print it when asked).
  case fileReceipt(PrintedReceipt)
  /// Roll back every redemption of a sale.
  case void(redemptionId: String, reason: String, by: String?)
  /// Ask whether the REST endpoint answers (for the status bar).
  case checkBackend
  /// Asks the back end which role the till's key has.
  case askRole
  case checkStaffPIN(name: String, pin: String)
  /// Write every cell of the screen again (Ctrl-L: a terminal something else scribbled on).
  case redraw
  case quit
}

/// What the voucher detail screen shows, as the back end told it.
public struct VoucherDetail: Equatable, Sendable {
  public var voucher: Voucher?
  /// nil: the back end cannot tell.
  public var history: [VoucherHistoryEntry]?
  public var holder: Customer?

  public init(voucher: Voucher?, history: [VoucherHistoryEntry]?, holder: Customer?) {
    self.voucher = voucher
    self.history = history
    self.holder = holder
  }
}

/// One page of a contact search, and how many match in all (nil: the back end does not say).
public struct ContactPage: Equatable, Sendable {
  public var contacts: [Customer]
  public var total: Int?

  public init(contacts: [Customer], total: Int?) {
    self.contacts = contacts
    self.total = total
  }
}
