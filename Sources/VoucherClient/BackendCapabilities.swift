import Foundation

/// What one back end can do, as its client knows it. Screens adapt to these (the Find
/// screen says what can be searched, the redeem screen waits as long as the guarantee
/// needs) and never branch on a back end's name.
public struct BackendCapabilities: Equatable, Sendable {
  /// A way a contact can be found; the raw value is how a sentence names it.
  public enum ContactSearch: String, Equatable, Sendable, CaseIterable {
    case namePrefix = "a name"
    case email
    case phone
    case memberNumber = "member number"
    case personalNumber = "personal number"
    case sourceId = "customer id"

    /// The word beside the search field.
    public var shortName: String? {
      switch self {
      case .namePrefix: "name"
      case .email: "email"
      case .phone: "phone"
      case .memberNumber: "member"
      case .personalNumber: "personal no."
      case .sourceId: nil
      }
    }
  }

  /// Where a cart is checked against the vouchers' rules.
  public enum Validation: Equatable, Sendable {
    /// The back end applies every rule.
    case server
    /// The till checks what it can (value, expiry, already used); the back end checks nothing
    /// else before redeeming.
    case till
  }

  /// How several codes of one sale are redeemed.
  public enum Stacking: Equatable, Sendable {
    /// All or none, in one request.
    case atomic
    /// One at a time; if a later one is refused, the earlier ones are undone.
    case oneByOne
    /// One code per sale.
    case single
  }

  /// What lets the till say "not redeemed" after a redeem that did not answer in time.
  public enum RedeemGuarantee: Equatable, Sendable {
    /// A write ordered with redemptions closes the attempt or returns what it made
    /// (our engine, local or served).
    case fence
    /// The back end commits within `seconds` of starting a request or never; a request may
    /// wait unread up to `grace` seconds before it starts.
    case pointOfNoReturn(seconds: TimeInterval, grace: TimeInterval)
    /// Only waiting helps: after `seconds` from sending, the back end has surely finished.
    /// `source` names where the figure comes from.
    case waitOut(seconds: TimeInterval, source: String)
    /// Applying again with the same order id returns the first application, never a second.
    case idempotentApply
    /// Nothing but a redemption found: the back end documents no time after which a request
    /// has surely finished, so until one is found the outcome stays unknown. `source` says
    /// where that was looked up.
    case foundOnly(source: String)
  }

  /// How a used voucher is given back.
  public enum UnRedeem: Equatable, Sendable {
    case reactivate, rollback, delete, none
  }

  public var contactSearch: [ContactSearch]
  public var validation: Validation
  public var stacking: Stacking
  public var redeemGuarantee: RedeemGuarantee
  public var unRedeem: UnRedeem
  /// Whether the back end lists a till's redemptions of a day.
  public var listsDaysSales: Bool

  public init(
    contactSearch: [ContactSearch], validation: Validation, stacking: Stacking,
    redeemGuarantee: RedeemGuarantee, unRedeem: UnRedeem, listsDaysSales: Bool
  ) {
    self.contactSearch = contactSearch
    self.validation = validation
    self.stacking = stacking
    self.redeemGuarantee = redeemGuarantee
    self.unRedeem = unRedeem
    self.listsDaysSales = listsDaysSales
  }

  /// Our engine, in this process or behind `voucher-engine serve`: everything, with the fence.
  public static let engine = BackendCapabilities(
    contactSearch: [.namePrefix, .email, .phone, .memberNumber, .sourceId], validation: .server,
    stacking: .atomic, redeemGuarantee: .fence, unRedeem: .reactivate, listsDaysSales: true)

  /// Whether a contact can be looked up at all (otherwise the till starts on code entry).
  public var findsContacts: Bool { !contactSearch.isEmpty }
}
