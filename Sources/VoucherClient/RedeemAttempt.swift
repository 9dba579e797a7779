import Foundation
import VoucherEngine

/// One try at redeeming a sale. A sale keeps its order id (`request.orderSourceId`) for all
/// its tries; each try has its own `key`, sent as the idempotency key, so that a try the
/// fence closed can never land, and a try re-sent over the network never doubles.
public struct RedeemAttempt: Equatable, Sendable {
  /// `ORDER.N`: the sale's order id and the number of this try (1, 2, …).
  public var key: String
  public var request: RedemptionRequest
  /// When the till sent it: the start of any wait a back end's guarantee asks for.
  public var sentAt: Date

  public init(key: String, request: RedemptionRequest, sentAt: Date) {
    self.key = key
    self.request = request
    self.sentAt = sentAt
  }

  /// The key of try `number` of the sale `orderId`.
  public static func key(orderId: String, number: Int) -> String { "\(orderId).\(number)" }

  public var orderSourceId: String { request.orderSourceId ?? "" }
}

/// What a back end can say about an attempt whose answer did not come.
public enum AttemptResolution: Equatable, Sendable {
  /// It made this redemption (a stacked parent comes with its children).
  case made(Redemption)
  /// It made nothing and, by the back end's guarantee, never will: a new attempt is safe.
  case notMade
  /// Not known yet; the text says why, in a cashier's words ("waiting until 14:02:10, …").
  case unknown(String)
}

extension AttemptResolution {
  /// The rule for a back end with no fence: a redemption found is the truth; finding none
  /// proves nothing until the back end's own processing limit has passed since the attempt
  /// was sent, because a request still in flight may commit after the read.
  ///
  /// - Parameters:
  ///   - found: the redemptions the read found for the attempt's order.
  ///   - limit: seconds after `attempt.sentAt` by which the back end surely has finished.
  public static func waitingOut(
    found: [Redemption], attempt: RedeemAttempt, limit: TimeInterval, now: Date
  ) -> AttemptResolution {
    if let made = found.first(where: { $0.parentId == nil && $0.status == .succeeded })
      ?? found.first(where: { $0.status == .succeeded })
    {
      return .made(made)
    }
    let surely = attempt.sentAt.addingTimeInterval(limit)
    guard now >= surely else {
      let seconds = Int(surely.timeIntervalSince(now).rounded(.up))
      return .unknown(
        "None found yet, but the voucher system may still be working on it: \(seconds) s more.")
    }
    return .notMade
  }
}
