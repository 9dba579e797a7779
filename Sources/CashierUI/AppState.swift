import Foundation
import VoucherClient
import VoucherEngine

/// The screen in front of the cashier.
public enum Route: Hashable, Sendable {
  case emptyDatabase, findContact, contact, cart, redeem, support
  /// Attempts an earlier run left unresolved, checked before the first sale.
  case recovery
  /// This till's sales of today, and voids.
  case daysSales
  /// One voucher's conditions and history.
  case voucherDetail
}

/// A line under the screen: what just happened, or why a key did nothing.
public struct Notice: Equatable, Sendable {
  public var text: String
  public var isError: Bool

  public init(_ text: String, isError: Bool = false) {
    self.text = text
    self.isError = isError
  }
}

/// A question the till asks before it changes the sale: Enter answers yes, Esc no.
public enum Question: Equatable, Sendable {
  /// The cashier opened `customer` while the sale is for someone else.
  case switchCustomer(to: Customer)
  /// A scanned voucher is bound to `holder` and the sale has no customer yet.
  case attachHolder(Sale.Code, holder: Customer)
  /// Quit while a redeem's outcome is not known: the sale stays in the journal.
  case quitUnresolved
  /// Redeem a sale whose subtotal is above the sanity limit (`Session.maxSale`).
  case largeSale(subtotal: Int64, currency: String)
}

/// The whole state of the till. Only `reduce` changes it; rendering only reads it.
public struct AppState: Equatable, Sendable {
  public var session: Session
  public var route: Route
  /// The time as of the latest tick: the countdown reads it, nothing reads the clock.
  public var now: Date
  /// The sale being rung up: the one place its customer, codes and lines live.
  public var sale: Sale
  public var findContact = FindContactScreen()
  /// Shows the sale's customer, never anyone else's (`sale.customer`).
  public var contact: ContactScreen?
  public var cart = CartScreen()
  public var redeem: RedeemScreen?
  public var support: SupportScreen?
  public var recovery: RecoveryScreen?
  public var sales: SalesScreen?
  public var detail: VoucherDetailScreen?
  /// The support PIN asked over the screen (a local database's support work).
  public var staffPIN: StaffPINPrompt?
  /// Where Esc on the day's sales goes back to.
  var routeBeforeSales = Route.findContact
  public var question: Question?
  public var showsHelp = false
  public var notice: Notice?
  public var saleNumber = 1
  public var isQuitting = false
  /// Set when the till quits with an attempt not resolved (kept in the journal).
  public var quitsUnresolved = false
  /// When the endpoint's health was last asked for (remote backends only).
  var lastBackendCheck: Date?
  /// A health check asked for and not answered yet. One at a time, so that the answer that
  /// comes is the one asked last.
  var backendCheckPending = false
  /// Whether a call's answer has told how the back end is since the pending check was
  /// asked: the check's answer is then the older news, and is dropped (a check asked while
  /// the server's database was down must not say "offline" after a search has answered).
  var backendNotedSinceCheck = false

  /// How often a remote endpoint's health is checked for the status bar.
  static let backendCheckInterval: TimeInterval = 10
  /// How often while it does not answer: a cashier waiting for the system to come back
  /// sees it back within seconds (a check is one cheap GET).
  static let offlineCheckInterval: TimeInterval = 2

  /// The time between health checks now.
  var checkInterval: TimeInterval {
    session.backendAnswers == false ? Self.offlineCheckInterval : Self.backendCheckInterval
  }

  /// - Parameter unresolved: attempts an earlier run left in the journal without an outcome;
  ///   they are resolved before the first sale (`startEffects`).
  public init(
    session: Session, now: Date, databaseIsEmpty: Bool = false,
    unresolved: [JournalAttempt] = []
  ) {
    self.session = session
    self.now = now
    sale = Sale(orderId: session.orderId(sale: 1))
    if !unresolved.isEmpty {
      route = .recovery
      recovery = RecoveryScreen(unresolved)
    } else {
      route = databaseIsEmpty ? .emptyDatabase : .findContact
    }
    // Code first where the back end cannot look contacts up.
    if !session.capabilities.findsContacts { findContact.focus = .code }
  }

  /// The work to start before the first key: resolving what the journal left open.
  public var startEffects: [Effect] {
    // A remote back end's role is asked on its first answer (the first tick asks its
    // health), see `reduce`.
    recovery?.items.map { .resolve($0.entry.attempt) } ?? []
  }

  /// What Enter does on the screen at hand, for the footer; nil where it does nothing.
  public var enterLabel: String? {
    if staffPIN != nil { return staffPIN?.phase == .checking ? nil : "Check PIN" }
    if question != nil { return "Yes" }
    switch route {
    case .emptyDatabase: return nil
    case .findContact:
      return findContact.focus == .code ? "Look up" : "Open"
    case .contact: return contact?.selected == nil ? nil : "Add to sale"
    case .cart: return cart.focus == .code ? "Add code" : "Add line"
    case .redeem:
      switch redeem?.phase {
      case .confirming?: return "Redeem"
      case .unknown?: return "Ask now"
      case .notRedeemed?: return "Try again"
      case .rejected?: return "Back"
      case .redeemed?: return "New sale"
      case .redeeming?, .checking?, nil: return nil
      }
    case .support:
      switch support?.phase {
      case .editing?, .failed?: return "Reactivate"
      default: return nil
      }
    case .recovery: return recovery?.isDone == true ? "Continue" : "Ask again"
    case .voucherDetail: return nil
    case .daysSales:
      switch sales?.phase {
      case .listed?: return sales?.selected?.status == .succeeded ? "Void" : nil
      case .voiding?: return "Void it"
      default: return nil
      }
    }
  }

  /// The text of the focused field, if the current screen has one.
  var focusedText: String? {
    switch route {
    case .findContact: findContact.focusedText
    case .cart: cart.focusedText
    case .support: support?.reason
    case .daysSales: sales?.focusedText
    default: nil
    }
  }
}

/// Applies `action` to `state` and returns the work to do: the whole behaviour of the till,
/// with no IO and no clock of its own.
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
  state.reduce(action)
}
