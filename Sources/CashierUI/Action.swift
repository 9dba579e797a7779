import Foundation
import VoucherClient
import VoucherEngine

/// Everything that can happen to the till: keys, time, and answers from the backend (named
/// in the past tense: they report what happened).
public enum Action: Equatable, Sendable {
  case key(Key)
  case command(Command)
  /// The clock moved; drives the countdown and the redeem deadline.
  case tick(Date)
  /// The endpoint's health check came back.
  case backendChecked(answers: Bool)

  case queryEdited(String)
  case codeEdited(String)
  case lineEdited(String)
  case reasonEdited(String)

  case contactsFound(query: String, Result<[Customer], ClientError>)
  case vouchersLoaded(customerId: String, filter: VoucherFilter, Result<VoucherPage, ClientError>)
  case codeLookedUp(code: String, Result<Voucher?, ClientError>)
  case validated(Result<ValidationResult, ClientError>)
  case redeemResponded(Result<RedeemOutcome, ClientError>)
  case deadlinePassed
  case orderChecked(Result<[Redemption], ClientError>)
  case reactivated(Result<Rollback, ClientError>)
}

/// Work the reducer asks the runtime to do. Each finishes by feeding an action back.
public enum Effect: Equatable, Sendable {
  case findContacts(String)
  case loadVouchers(customerId: String, filter: VoucherFilter)
  case lookUpCode(String)
  case validate(RedemptionRequest)
  case redeem(RedemptionRequest, deadline: Date)
  /// Report `.deadlinePassed` at this date (ticks report it too; the reducer takes the first).
  case startDeadline(Date)
  /// Ask which redemptions the order made: the only way an unknown outcome is resolved.
  case checkOrder(String)
  case reactivate(code: String, reason: String, by: String?)
  /// Ask whether the REST endpoint answers (for the status bar).
  case checkBackend
  case quit
}
