import VoucherEngine

/// The fence's answer (`POST /v1/attempts/{key}/close`, our extension): what the redeem
/// attempt sent with `Idempotency-Key: key` made, or that it is now closed and never will.
public struct WireAttemptFence: Codable, Sendable, Equatable {
  public var object = "attempt"
  public var key: String
  /// `made` or `closed`.
  public var state: String
  /// The redemption the attempt made (a stacked parent with its children); absent when closed.
  public var redemption: WireRedemption?

  public init(key: String, _ fence: AttemptFence) {
    self.key = key
    switch fence {
    case .made(let redemption):
      state = "made"
      self.redemption = WireRedemption(redemption)
    case .closed:
      state = "closed"
    }
  }

  /// The engine value, or nil when the answer does not say one of the two things it may.
  public func engineValue() -> AttemptFence? {
    switch state {
    case "closed": return redemption == nil ? .closed : nil
    case "made": return redemption?.engineValue().map { .made($0) }
    default: return nil
    }
  }
}
