import Foundation
import VoucherEngine

/// A small, fast, seeded generator, so every run builds the same data.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// The benchmark's data set: contacts with realistic names and bound vouchers of every kind.
struct BenchData {
  let contacts: Int
  let vouchersPerContact: Int
  static let firstNames = [
    "Alice", "Åsa", "Björn", "Carl", "Dagny", "Erik", "Fatima", "Gustav", "Hanna", "Ingrid",
    "Johan", "Karin", "Lars", "Maja", "Nils", "Olivia", "Per", "Rut", "Sofia", "Tove",
  ]
  static let lastNames = [
    "Andersson", "Berg", "Carlsson", "Dahl", "Ek", "Forsberg", "Gustafsson", "Holm", "Isaksson",
    "Johansson", "Karlsson", "Lindqvist", "Magnusson", "Nilsson", "Öberg", "Persson", "Quist",
    "Sandberg", "Törnqvist", "Wallin", "山田", "Ñúñez",
  ]

  func email(_ index: Int) -> String { "contact\(index)@example.com" }
  func phone(_ index: Int) -> String { "+4670\(String(format: "%07d", index))" }
  func sourceId(_ index: Int) -> String { "bench-\(index)" }
  func code(contact: Int, slot: Int) -> String { "B\(contact)-\(slot)" }
  func lastName(_ index: Int) -> String { Self.lastNames[index % Self.lastNames.count] }

  /// Writes the contacts and vouchers in batches of one transaction each, reporting progress.
  func build(into engine: VoucherEngine, progress: (String) -> Void) throws {
    var random = SplitMix64(seed: 42)
    let batch = 5_000
    var next = 0
    while next < contacts {
      let range = next..<min(contacts, next + batch)
      let drafts = range.map { index in
        CustomerDraft(
          sourceId: sourceId(index),
          name: "\(Self.firstNames[Int(random.next() % 20)]) \(lastName(index))",
          email: email(index), phone: phone(index), memberNumber: "M-\(index)")
      }
      let customers = try engine.upsertCustomers(drafts)
      var vouchers: [VoucherDraft] = []
      vouchers.reserveCapacity(customers.count * vouchersPerContact)
      for (offset, customer) in customers.enumerated() {
        for slot in 0..<vouchersPerContact {
          vouchers.append(
            voucher(contact: range.lowerBound + offset, slot: slot, holder: customer.id))
        }
      }
      try engine.createVouchers(vouchers)
      next = range.upperBound
      progress("  data: \(next)/\(contacts) contacts, \(next * vouchersPerContact) vouchers")
    }
  }

  /// Slot 0–4: single-use discounts of each kind, redeemable now; the rest a mix that
  /// includes gift cards, expired and not-yet-active vouchers.
  private func voucher(contact: Int, slot: Int, holder: String) -> VoucherDraft {
    let now = Date()
    let kind: VoucherKind
    switch slot % 5 {
    case 0: kind = .discount(.percent(basisPoints: 1000, amountLimit: nil))
    case 1: kind = .discount(.amount(500))
    case 2: kind = .discount(.percent(basisPoints: 1250, amountLimit: 5000))
    case 3: kind = .gift(amount: 50_000, balance: 50_000)
    default: kind = .discount(.fixed(9_900))
    }
    var draft = VoucherDraft(code: code(contact: contact, slot: slot), kind: kind, holder: holder)
    draft.quantity = slot % 5 == 3 ? nil : 1
    if slot >= 5 {
      draft.startDate = now.addingTimeInterval(slot % 2 == 0 ? -400 * 86_400 : 10 * 86_400)
      draft.expirationDate = now.addingTimeInterval(slot % 2 == 0 ? -10 * 86_400 : 400 * 86_400)
    }
    return draft
  }
}
