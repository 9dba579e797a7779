import Foundation
import VoucherEngine

/// The screen in front of the cashier.
public enum Route: Hashable, Sendable {
  case emptyDatabase, findContact, contact, cart, redeem, support
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

/// The whole state of the till. Only `reduce` changes it; rendering only reads it.
public struct AppState: Equatable, Sendable {
  public var session: Session
  public var route: Route
  /// The time as of the latest tick: the countdown reads it, nothing reads the clock.
  public var now: Date
  public var findContact = FindContactScreen()
  public var contact: ContactScreen?
  public var cart: CartScreen
  public var redeem: RedeemScreen?
  public var support: SupportScreen?
  public var showsHelp = false
  public var notice: Notice?
  public var saleNumber = 1
  public var isQuitting = false
  /// When the endpoint's health was last asked for (remote backends only).
  var lastBackendCheck: Date?

  /// How often a remote endpoint's health is checked for the status bar.
  static let backendCheckInterval: TimeInterval = 10

  public init(session: Session, now: Date, databaseIsEmpty: Bool = false) {
    self.session = session
    self.now = now
    route = databaseIsEmpty ? .emptyDatabase : .findContact
    cart = CartScreen(orderId: session.orderId(sale: 1))
  }

  /// The text of the focused field, if the current screen has one.
  var focusedText: String? {
    switch route {
    case .findContact: findContact.focusedText
    case .cart: cart.focusedText
    case .support: support?.reason
    default: nil
    }
  }
}

/// Applies `action` to `state` and returns the work to do: the whole behaviour of the till,
/// with no IO and no clock of its own.
public func reduce(_ state: inout AppState, _ action: Action) -> [Effect] {
  state.reduce(action)
}
