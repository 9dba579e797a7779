/// Engage's ids are GUIDs; the engine's are `cust_…` and `v_…` with 20 base-36 digits. An
/// engine id is written into a GUID and read back out of it, so every id is stable, needs no
/// table, and a GUID that was never ours is told apart from one of ours that is gone.
///
/// Layout: 4 hex digits naming the kind (`c0c0` contact, `7e7e` reward voucher), then the 20
/// base-36 digits as a 112-bit number (36²⁰ < 2¹⁰⁴), in 28 hex digits.
public enum EngageID {
  public enum Kind: String, Sendable {
    case contact = "c0c0"
    case rewardVoucher = "7e7e"

    var enginePrefix: String {
      switch self {
      case .contact: "cust_"
      case .rewardVoucher: "v_"
      }
    }
  }

  private static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
  private static let length = 20

  /// The GUID of an engine id; nil for an id not of the engine's form.
  public static func guid(engineId: String, kind: Kind) -> String? {
    guard engineId.hasPrefix(kind.enginePrefix) else { return nil }
    let body = Array(engineId.utf8.dropFirst(kind.enginePrefix.utf8.count))
    guard body.count == length else { return nil }
    var number: UInt128 = 0
    for byte in body {
      guard let digit = digits.firstIndex(of: byte) else { return nil }
      number = number * 36 + UInt128(digit)
    }
    var hex = String(number, radix: 16)
    hex = String(repeating: "0", count: 28 - hex.count) + hex
    let all = Array(kind.rawValue + hex)
    return String(all[0..<8]) + "-" + String(all[8..<12]) + "-" + String(all[12..<16]) + "-"
      + String(all[16..<20]) + "-" + String(all[20..<32])
  }

  /// Whether `text` is written as a GUID at all (8-4-4-4-12 hex digits).
  public static func isGUID(_ text: String) -> Bool {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    return parts.map(\.count) == [8, 4, 4, 4, 12]
      && parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
  }

  /// The engine id inside a GUID of ours; nil for any other GUID (or text).
  public static func engineId(guid: String, kind: Kind) -> String? {
    guard isGUID(guid) else { return nil }
    let hex = guid.lowercased().filter { $0 != "-" }
    guard hex.hasPrefix(kind.rawValue), var number = UInt128(hex.dropFirst(4), radix: 16)
    else { return nil }
    var body = [UInt8](repeating: digits[0], count: length)
    for index in stride(from: length - 1, through: 0, by: -1) {
      body[index] = digits[Int(number % 36)]
      number /= 36
    }
    guard number == 0 else { return nil }
    return kind.enginePrefix + String(decoding: body, as: UTF8.self)
  }
}
