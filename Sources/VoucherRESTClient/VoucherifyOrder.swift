import Foundation

/// What the till reads of `GET /v1/orders/{id}`: its `redemptions` map, whose keys are the
/// redemptions made under the order. Everything else of the order may be absent or of any
/// shape the schema allows; only the map is needed to find what a redeem made.
struct VoucherifyOrder: Decodable, Equatable {
  var redemptions: [String: Entry]

  struct Entry: Decodable, Equatable {
    /// The parts of a stacked redemption, named by the parent's entry.
    var stacked: [String]?
  }

  enum CodingKeys: String, CodingKey {
    case redemptions
  }

  init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    redemptions = try c.decodeIfPresent([String: Entry].self, forKey: .redemptions) ?? [:]
  }

  init(redemptions: [String: Entry]) { self.redemptions = redemptions }

  /// The redemptions to read whole: every one that is not a part of another (a parent brings
  /// its parts with it).
  var topRedemptionIds: [String] {
    let parts = Set(redemptions.values.flatMap { $0.stacked ?? [] })
    return redemptions.keys.filter { !parts.contains($0) }.sorted()
  }
}

extension VoucherifyOrder.Entry {
  enum CodingKeys: String, CodingKey {
    case stacked
  }

  init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    stacked = try? c.decodeIfPresent([String].self, forKey: .stacked)
  }
}
