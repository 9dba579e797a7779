import Foundation

extension VoucherEngine {
  /// Wrong PINs in a row that lock a name out.
  public static let staffPINAttempts = 5
  /// How long a locked-out name stays locked, in seconds of the engine's clock.
  public static let staffLockoutSeconds: TimeInterval = 60

  /// Whether `pin` has the form of a staff PIN: 4–12 ASCII digits.
  public static func isWellFormedStaffPIN(_ pin: String) -> Bool {
    (4...12).contains(pin.utf8.count)
      && pin.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
  }

  /// Adds a member of staff with a PIN; only a salted SHA-256 of the PIN is stored. A name
  /// that was revoked may be added again (with a new PIN and role).
  ///
  /// A PIN has at most 10^12 values, so its hash is no secret against someone holding the
  /// database file: the PIN guards the till, where wrong tries are counted and locked out
  /// (see `verifyStaffPIN`), not a stolen file.
  ///
  /// - Throws: `Refusal` with `.invalidPayload` for an empty, overlong or control-character
  ///   name, a PIN that is not 4–12 digits, or a name already live.
  @discardableResult
  public func addStaff(name: String, role: StaffRole, pin: String) throws -> StaffMember {
    let name = name.trimmingSpaces()
    func refuse(_ text: String) -> Refusal { Refusal(code: nil, reason: .invalidPayload(text)) }
    guard !name.isEmpty, name.count <= 100,
      !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    else {
      throw refuse("a staff name must be 1–100 characters, none of them control characters")
    }
    guard Self.isWellFormedStaffPIN(pin) else { throw refuse("a PIN must be 4–12 digits") }
    var generator = SystemRandomNumberGenerator()
    let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    let member = StaffMember(name: name, role: role, createdAt: clock.now(), revokedAt: nil)
    let stored = StoredStaffMember(
      member: member, salt: salt.hexString, pinHash: Self.pinHash(salt: salt, pin: pin),
      failedAttempts: 0, lockedUntil: nil)
    try store.write { store in
      if let existing = try store.staffMember(name: name), existing.member.revokedAt == nil {
        throw refuse("\(existing.member.name) is already on the staff (revoke first)")
      }
      try store.saveStaffMember(stored)
      try store.appendEvent(
        date: member.createdAt, actor: nil, kind: "staff.created", subject: name,
        detail: JSONText.encode(["role": role.rawValue]))
    }
    return member
  }

  /// The member of staff with this name (any ASCII case), revoked ones included.
  public func staff(name: String) throws -> StaffMember? {
    try store.read { try $0.staffMember(name: name.trimmingSpaces())?.member }
  }

  /// Every member of staff, oldest first, revoked ones included.
  public func staffMembers() throws -> [StaffMember] {
    try store.read { try $0.staffMembers().map(\.member) }
  }

  /// Revokes a member of staff; their PIN stops working at once.
  ///
  /// - Returns: false when no live member has this name.
  @discardableResult
  public func revokeStaff(name: String) throws -> Bool {
    let now = clock.now()
    let name = name.trimmingSpaces()
    return try store.write { store in
      guard try store.revokeStaffMember(name: name, at: now) else { return false }
      try store.appendEvent(
        date: now, actor: nil, kind: "staff.revoked", subject: name, detail: "{}")
      return true
    }
  }

  /// The live member of staff with this name whose PIN this is, compared in constant time;
  /// nil for an unknown or revoked name or a wrong PIN (the caller cannot tell which).
  ///
  /// Wrong PINs are counted per name in the database, so restarting a till does not reset
  /// them: after `staffPINAttempts` (5) wrong PINs in a row the name is locked out for
  /// `staffLockoutSeconds` (60 s) of the engine's clock, and a right PIN resets the count.
  /// Text that is not 4–12 digits is answered nil without counting (it cannot be a PIN).
  ///
  /// - Throws: `StaffLockedOutError` while the name is locked out (no PIN is checked then,
  ///   so a lockout tells nothing about the PIN).
  public func verifyStaffPIN(name: String, pin: String) throws -> StaffMember? {
    let name = name.trimmingSpaces()
    let now = clock.now()
    return try store.write { store -> StaffMember? in
      guard let stored = try store.staffMember(name: name), stored.member.revokedAt == nil else {
        // The same work as for a known name, so the time taken does not tell names apart.
        _ = SHA256.constantTimeEqual(SHA256.hash(Array(pin.utf8)), SHA256.hash([]))
        return nil
      }
      if let until = stored.lockedUntil, until > now {
        throw StaffLockedOutError(name: stored.member.name, until: until)
      }
      guard Self.isWellFormedStaffPIN(pin) else { return nil }
      guard let salt = [UInt8](hex: stored.salt), let expected = [UInt8](hex: stored.pinHash)
      else { throw StoreError.corrupt("staff \(stored.member.name) has a malformed PIN hash") }
      if SHA256.constantTimeEqual(SHA256.hash(salt + Array(pin.utf8)), expected) {
        if stored.failedAttempts != 0 || stored.lockedUntil != nil {
          try store.setStaffPINFailures(name: stored.member.name, count: 0, lockedUntil: nil)
        }
        return stored.member
      }
      let failures = stored.failedAttempts + 1
      if failures >= Self.staffPINAttempts {
        let until = now.addingTimeInterval(Self.staffLockoutSeconds)
        try store.setStaffPINFailures(name: stored.member.name, count: 0, lockedUntil: until)
        try store.appendEvent(
          date: now, actor: nil, kind: "staff.locked_out", subject: stored.member.name,
          detail: JSONText.encode(["until": String(until.millisecondsSince1970)]))
      } else {
        try store.setStaffPINFailures(
          name: stored.member.name, count: failures, lockedUntil: stored.lockedUntil)
      }
      return nil
    }
  }

  /// Until when a name is locked out after wrong PINs, or nil when its PINs are checked.
  public func staffLockout(name: String) throws -> Date? {
    let now = clock.now()
    return try store.read { store in
      guard let until = try store.staffMember(name: name.trimmingSpaces())?.lockedUntil,
        until > now
      else { return nil }
      return until
    }
  }

  static func pinHash(salt: [UInt8], pin: String) -> String {
    SHA256.hex(salt + Array(pin.utf8))
  }
}
