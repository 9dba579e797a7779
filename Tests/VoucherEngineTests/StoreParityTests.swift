import Foundation
import Testing

@testable import VoucherEngine

/// What the Find screen's search and the staff PINs give is the same on both stores.
@Suite("Both stores: search and staff")
struct StoreParityTests {
  func seeded(_ kind: StoreKind) throws -> VoucherEngine {
    let engine = try makeEngine(kind)
    for (id, name, email, phone, member) in [
      ("c-1", "Alice Example", "alice@example.com", "+46701234567", "M-100123"),
      ("c-2", "Karin Lindqvist", "karin.lindqvist@example.se", "+46707123456", "M-100129"),
      ("c-3", "Erik Lindqvist", "erik@example.se", "+46706712345", "M-100128"),
      ("c-4", "Nora Åkesson-Lind", "nora@example.se", "+46707234561", "M-100138"),
    ] {
      try engine.upsertCustomer(
        CustomerDraft(
          sourceId: id, name: name, email: email, phone: phone, memberNumber: member))
    }
    return engine
  }

  @Test("partial phone, bare member number, email local part and name words, with counts")
  func search() throws {
    for query in ["lind", "12345", "100128", "alice", "alice@", "karin lind", "0707 12", "nobody"] {
      let sqlite = try seeded(.sqlite).findCustomers(query, limit: 50, offset: 0)
      let postgres = try seeded(.postgresql)
      let all = try postgres.findCustomers(query, limit: 50, offset: 0)
      #expect(sqlite.total == all.total, "\(query)")
      #expect(
        Set(sqlite.customers.map(\.sourceId)) == Set(all.customers.map(\.sourceId)), "\(query)")
      // Pages of two neither overlap nor miss anyone.
      var paged: [String?] = []
      for offset in stride(from: 0, to: all.total, by: 2) {
        paged += try postgres.findCustomers(query, limit: 2, offset: offset).customers.map(
          \.sourceId)
      }
      #expect(paged == all.customers.map(\.sourceId), "\(query)")
    }
    #expect(try seeded(.postgresql).findCustomers("lind", limit: 50, offset: 0).total == 3)
  }

  @Test(
    "a staff PIN is checked, locked out after five wrong ones, and revoked",
    arguments: StoreKind.allCases)
  func staff(kind: StoreKind) throws {
    let engine = try makeEngine(kind)
    _ = try engine.addStaff(name: "Omar", role: .support, pin: "4711")
    #expect(try engine.verifyStaffPIN(name: "omar", pin: "4711")?.role == .support)
    for _ in 0..<5 { #expect(try engine.verifyStaffPIN(name: "Omar", pin: "0000") == nil) }
    #expect(throws: StaffLockedOutError.self) {
      try engine.verifyStaffPIN(name: "Omar", pin: "4711")
    }
    #expect(try engine.revokeStaff(name: "OMAR"))
    #expect(try engine.staffMembers().first?.revokedAt != nil)
  }
}
