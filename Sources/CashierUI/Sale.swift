import Foundation
import VoucherClient
import VoucherEngine

/// The one place a sale lives: its customer, its codes (each with what it gives), its cart
/// lines, what validation said, and its redeem attempts. Screens show it and change it only
/// through these rules, so that what the till shows is what it will redeem.
public struct Sale: Equatable, Sendable {
  /// One code on the sale.
  public struct Code: Equatable, Sendable {
    /// Normalised (trimmed, upper case), as the engine compares codes.
    public var code: String
    /// For a gift card: the amount the cashier chose to take; nil takes what covers the rest.
    public var giftAmount: Int64?
    /// The contact the voucher is bound to, when known: switching customer removes it.
    public var holderId: String?

    public init(_ code: String, giftAmount: Int64? = nil, holderId: String? = nil) {
      self.code = code
      self.giftAmount = giftAmount
      self.holderId = holderId
    }
  }

  public enum Validation: Equatable, Sendable {
    case notAsked
    case checking
    case answered(ValidationResult)
    case failed(String)
  }

  /// The transaction id of this sale, sent with validate and every redeem attempt.
  public let orderId: String
  public private(set) var customer: Customer?
  /// What the cashier typed to name the customer where the back end has no contact lookup
  /// (a shop's customer id, an email, a phone): sent where the dialect has a field for it.
  public private(set) var customerReference: String?
  public private(set) var codes: [Code] = []
  public private(set) var items: [CartItem] = []
  /// Reset by every change, so a redeem always follows a validation of this very sale.
  public var validation = Validation.notAsked
  /// How many redeem attempts were started (the next one's number is one more).
  public private(set) var attemptCount = 0
  /// The attempt in flight or last made.
  public private(set) var attempt: RedeemAttempt?
  /// Set by the receipt: a finished sale is never changed or redeemed again.
  public private(set) var isFinished = false

  public init(orderId: String) {
    self.orderId = orderId
  }

  /// Nothing on it yet: switching its customer loses nothing.
  public var isEmpty: Bool { codes.isEmpty && items.isEmpty }

  public var subtotal: Int64 { items.reduce(0) { $0 + $1.amount } }

  // MARK: Rules

  /// Attaches `customer` to a sale that has none (or the same one again).
  mutating func attach(_ customer: Customer) {
    precondition(self.customer == nil || self.customer?.id == customer.id)
    guard !isFinished else { return }
    self.customer = customer
    validation = .notAsked
  }

  /// Makes this `customer`'s sale: the previous customer's personal codes leave with them.
  /// Returns the codes removed, for the screen to say so.
  @discardableResult
  mutating func switchCustomer(to customer: Customer) -> [String] {
    guard !isFinished else { return [] }
    let previous = self.customer?.id
    let removed = codes.filter { $0.holderId != nil && $0.holderId == previous }
    codes.removeAll { $0.holderId != nil && $0.holderId == previous }
    self.customer = customer
    validation = .notAsked
    return removed.map(\.code)
  }

  /// The codes that would leave with the current customer if the sale switched.
  var personalCodes: [String] {
    codes.filter { $0.holderId != nil && $0.holderId == customer?.id }.map(\.code)
  }

  /// Sets (or, when blank, clears) the customer reference typed on the cart.
  mutating func setCustomerReference(_ text: String) {
    guard !isFinished else { return }
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    customerReference = trimmed.isEmpty ? nil : trimmed
    validation = .notAsked
  }

  /// Adds a code (stacking, never replacing). Nil when added; otherwise why not.
  mutating func add(_ code: Code) -> String? {
    guard !isFinished else { return "This sale is finished." }
    guard !code.code.isEmpty else { return "Type or scan a code first." }
    if let index = codes.firstIndex(where: { $0.code == code.code }) {
      guard let amount = code.giftAmount, amount != codes[index].giftAmount else {
        return "\(code.code) is on this sale already."
      }
      codes[index].giftAmount = amount
      validation = .notAsked
      return nil
    }
    guard codes.count < RedemptionRequest.maximumCodes else {
      return "At most \(RedemptionRequest.maximumCodes) codes per sale."
    }
    codes.append(code)
    validation = .notAsked
    return nil
  }

  mutating func setGiftAmount(_ amount: Int64?, ofCodeAt index: Int) {
    guard !isFinished, codes.indices.contains(index) else { return }
    codes[index].giftAmount = amount
    validation = .notAsked
  }

  mutating func removeCode(at index: Int) {
    guard !isFinished, codes.indices.contains(index) else { return }
    codes.remove(at: index)
    validation = .notAsked
  }

  /// Nil when added; otherwise why not.
  mutating func add(_ item: CartItem) -> String? {
    guard !isFinished else { return "This sale is finished." }
    guard items.count < RedemptionRequest.maximumItems else {
      return "At most \(RedemptionRequest.maximumItems) lines per sale."
    }
    items.append(item)
    validation = .notAsked
    return nil
  }

  @discardableResult
  mutating func removeItem(at index: Int) -> CartItem? {
    guard !isFinished, items.indices.contains(index) else { return nil }
    validation = .notAsked
    return items.remove(at: index)
  }

  /// What validate and redeem send.
  func request(session: Session) -> RedemptionRequest {
    RedemptionRequest(
      codes: codes.map { CodeRequest($0.code, giftCredits: $0.giftAmount) },
      customer: customer?.id ?? customerReference, orderSourceId: orderId, items: items,
      channel: Channel(terminal: session.terminal, cashier: session.cashier))
  }

  /// Starts the next redeem attempt: a new key on the same order, so the previous attempt,
  /// closed by the fence, can never land, and this one never doubles.
  mutating func startAttempt(session: Session, at date: Date) -> RedeemAttempt {
    attemptCount += 1
    let made = RedeemAttempt(
      key: RedeemAttempt.key(orderId: orderId, number: attemptCount),
      request: request(session: session), sentAt: date)
    attempt = made
    return made
  }

  /// The receipt was given: nothing more happens to this sale.
  mutating func finish() { isFinished = true }

  /// A sale rebuilt from the journal, to resolve an attempt left unknown by an earlier run.
  static func recovered(_ attempt: RedeemAttempt, customer: Customer?) -> Sale {
    var sale = Sale(orderId: attempt.orderSourceId)
    sale.customer = customer
    sale.codes = attempt.request.codes.map { Code($0.code, giftAmount: $0.giftCredits) }
    sale.items = attempt.request.items
    sale.attempt = attempt
    sale.attemptCount = Int(attempt.key.split(separator: ".").last ?? "") ?? 1
    return sale
  }

  /// What validation said of the code at `index`, when it answered for this very sale.
  func result(ofCodeAt index: Int) -> RedeemableResult? {
    guard case .answered(let answer) = validation, answer.redeemables.indices.contains(index),
      answer.redeemables[index].code.normalizedCode == codes[index].code
    else { return nil }
    return answer.redeemables[index]
  }
}
