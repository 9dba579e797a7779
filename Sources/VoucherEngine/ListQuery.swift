import Foundation

/// How a list is sorted: a field and a direction (Voucherify's `order=-created_at`).
public struct ListOrder: Equatable, Sendable {
  public var field: String
  public var descending: Bool

  public init(field: String, descending: Bool) {
    self.field = field
    self.descending = descending
  }
}

/// The filters of a customer list; nil filters nothing.
public struct CustomerQuery: Equatable, Sendable {
  /// Exact, case-insensitive.
  public var email: String?
  /// `address.city`, exact and case-insensitive.
  public var city: String?
  /// The whole name, exact and case-insensitive.
  public var name: String?
  public var createdBefore: Date?
  public var createdAfter: Date?
  public var updatedBefore: Date?
  public var updatedAfter: Date?
  /// Only customers created after this instant (Voucherify's `starting_after` cursor).
  public var startingAfter: Date?
  /// `created_at`, `updated_at` or `source_id`; nil is oldest first.
  public var order: ListOrder?
  public var limit = 10
  public var offset = 0

  public init() {}

  /// The sort fields a customer list takes.
  public static let orderFields: Set<String> = ["created_at", "updated_at", "source_id"]
}

/// The filters of a voucher list; nil filters nothing.
public struct VoucherQuery: Equatable, Sendable {
  public var category: String?
  public var campaign: String?
  public var campaignId: String?
  /// The holder's customer id.
  public var holderId: String?
  public var code: String?
  /// Voucher ids (`v_…`), any of them.
  public var ids: [String]?
  public var createdBefore: Date?
  public var createdAfter: Date?
  public var updatedBefore: Date?
  public var updatedAfter: Date?
  /// `created_at`, `updated_at` or `code`; nil is oldest first.
  public var order: ListOrder?
  public var limit = 10
  public var offset = 0

  public init() {}

  /// The sort fields a voucher list takes.
  public static let orderFields: Set<String> = ["created_at", "updated_at", "code"]
}
