import Foundation
import Testing

@testable import VoucherEngine

@Suite("staff PINs")
struct StaffTests {
  @Test("a right PIN verifies the member; a wrong PIN, an unknown name or a revoked one do not")
  func verify() throws {
    let engine = try makeEngine()
    let added = try engine.addStaff(name: "Maja", role: .support, pin: "482913")
    #expect(added.role == .support)
    #expect(try engine.verifyStaffPIN(name: "Maja", pin: "482913") == added)
    #expect(try engine.verifyStaffPIN(name: "maja", pin: "482913") == added)
    #expect(try engine.verifyStaffPIN(name: "Maja", pin: "482914") == nil)
    #expect(try engine.verifyStaffPIN(name: "Nobody", pin: "482913") == nil)
    #expect(try engine.revokeStaff(name: "MAJA"))
    #expect(try engine.revokeStaff(name: "Maja") == false)
    #expect(try engine.verifyStaffPIN(name: "Maja", pin: "482913") == nil)
    #expect(try engine.staff(name: "Maja")?.revokedAt == Day.now)
  }

  @Test("only a salted hash of the PIN is stored, different for equal PINs")
  func storedHashed() throws {
    let engine = try makeEngine()
    try engine.addStaff(name: "Maja", role: .support, pin: "123456")
    try engine.addStaff(name: "Bo", role: .cashier, pin: "123456")
    let stored = try engine.store.read { try $0.staffMembers() }
    #expect(stored.map(\.member.name) == ["Maja", "Bo"])
    #expect(Set(stored.map(\.pinHash)).count == 2)
    #expect(Set(stored.map(\.salt)).count == 2)
    for member in stored {
      #expect(!member.pinHash.contains("123456"))
      #expect(member.pinHash.count == 64)
      let salt = try #require([UInt8](hex: member.salt))
      #expect(member.pinHash == SHA256.hex(salt + Array("123456".utf8)))
    }
    let dump = try runSQLiteShell(try databasePath(of: engine), "SELECT * FROM staff;")
    #expect(!dump.output.contains("123456"))
  }

  @Test(
    "a PIN is 4–12 digits",
    arguments: [
      ("1234", true), ("123456789012", true), ("123", false), ("1234567890123", false),
      ("12a4", false), ("", false), ("１２３４", false), (" 1234", false),
    ])
  func pinForm(pin: String, wellFormed: Bool) throws {
    let engine = try makeEngine()
    #expect(VoucherEngine.isWellFormedStaffPIN(pin) == wellFormed)
    if wellFormed {
      try engine.addStaff(name: "Maja", role: .support, pin: pin)
    } else {
      #expect(
        isInvalidPayload(refusal { try engine.addStaff(name: "Maja", role: .support, pin: pin) }))
      #expect(try engine.staffMembers().isEmpty)
    }
  }

  @Test("names are unique without regard to case, must be plain text, and come back once revoked")
  func names() throws {
    let engine = try makeEngine()
    try engine.addStaff(name: "  Maja ", role: .cashier, pin: "1111")
    #expect(try engine.staff(name: "MAJA")?.name == "Maja")
    #expect(
      isInvalidPayload(refusal { try engine.addStaff(name: "maja", role: .support, pin: "2222") }))
    #expect(
      isInvalidPayload(refusal { try engine.addStaff(name: "  ", role: .support, pin: "2222") }))
    #expect(
      isInvalidPayload(
        refusal { try engine.addStaff(name: "Bo\u{1b}[2J", role: .support, pin: "2222") }))
    try engine.revokeStaff(name: "Maja")
    let again = try engine.addStaff(name: "Maja", role: .support, pin: "2222")
    #expect(again.role == .support)
    #expect(try engine.verifyStaffPIN(name: "Maja", pin: "1111") == nil)
    #expect(try engine.verifyStaffPIN(name: "Maja", pin: "2222") == again)
    #expect(try engine.staffMembers().count == 1)
    let kinds = try engine.store.read { try $0.events(subject: "Maja", limit: 10) }.map(\.kind)
    #expect(kinds.contains("staff.created") && kinds.contains("staff.revoked"))
  }

  @Test("after 5 wrong PINs a name is locked out for 60 s of the engine's clock")
  func lockout() throws {
    let clock = ManualClock(Day.now)
    let engine = try makeEngine(clock: clock)
    let maja = try engine.addStaff(name: "Maja", role: .support, pin: "482913")
    try engine.addStaff(name: "Bo", role: .support, pin: "1111")
    for _ in 0..<4 { #expect(try engine.verifyStaffPIN(name: "Maja", pin: "000000") == nil) }
    #expect(try engine.staffLockout(name: "Maja") == nil)
    #expect(try engine.verifyStaffPIN(name: "Maja", pin: "000001") == nil)
    let until = Day.now.addingTimeInterval(60)
    #expect(try engine.staffLockout(name: "Maja") == until)
    // Locked: even the right PIN is not checked, so the lockout tells nothing about it.
    #expect(throws: StaffLockedOutError(name: "Maja", until: until)) {
      try engine.verifyStaffPIN(name: "Maja", pin: "482913")
    }
    // Another name is not affected.
    #expect(try engine.verifyStaffPIN(name: "Bo", pin: "1111")?.name == "Bo")
    clock.advance(by: 59)
    #expect(throws: StaffLockedOutError.self) { try engine.verifyStaffPIN(name: "maja", pin: "1") }
    clock.advance(by: 1)
    #expect(try engine.staffLockout(name: "Maja") == nil)
    #expect(try engine.verifyStaffPIN(name: "Maja", pin: "482913") == maja)
    let events = try engine.store.read { try $0.events(subject: "Maja", limit: 10) }
    #expect(events.map(\.kind).contains("staff.locked_out"))
  }

  @Test("a right PIN resets the count; malformed text is not counted; counts outlive the engine")
  func counting() throws {
    let clock = ManualClock(Day.now)
    let engine = try makeEngine(clock: clock)
    try engine.addStaff(name: "Maja", role: .support, pin: "482913")
    for _ in 0..<4 { _ = try engine.verifyStaffPIN(name: "Maja", pin: "999999") }
    #expect(try engine.verifyStaffPIN(name: "Maja", pin: "482913") != nil)
    for _ in 0..<4 { _ = try engine.verifyStaffPIN(name: "Maja", pin: "999999") }
    for _ in 0..<10 { #expect(try engine.verifyStaffPIN(name: "Maja", pin: "12") == nil) }
    #expect(try engine.staffLockout(name: "Maja") == nil)
    // A till restarted (a new engine on the same file) sees the same count.
    let reopened = try VoucherEngine(path: try databasePath(of: engine), clock: clock)
    #expect(try reopened.verifyStaffPIN(name: "Maja", pin: "999999") == nil)
    #expect(try engine.staffLockout(name: "Maja") == Day.now.addingTimeInterval(60))
  }
}
