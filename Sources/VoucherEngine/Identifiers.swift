import Foundation

/// Random identifiers and voucher codes.
enum Identifiers {
  /// Lowercase letters and digits for ids (`cust_…`, `v_…`, `r_…`, `rr_…`), as ASCII bytes.
  private static let idAlphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

  /// `prefix` + 9 base-36 digits of the current millisecond + 11 random base-36 characters
  /// (about 57 bits). Time first, so new rows land at the end of every index keyed by an
  /// id (a random id scatters a bulk import all over the B-trees and costs a page write
  /// per row), and sorting by id sorts by creation.
  static func make(_ prefix: String, length: Int = 20) -> String {
    var time = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    var bits = BufferedRandom.next()
    // Written as bytes into the string's own storage: appending Characters one by one cost
    // a redemption (which makes two ids) more than its event row.
    let prefixBytes = prefix.utf8
    return String(unsafeUninitializedCapacity: prefixBytes.count + length) { buffer in
      var end = 0
      for byte in prefixBytes {
        buffer[end] = byte
        end += 1
      }
      for index in stride(from: end + 8, through: end, by: -1) {
        buffer[index] = idAlphabet[Int(time % 36)]
        time /= 36
      }
      end += 9
      for _ in 0..<(length - 9) {
        buffer[end] = idAlphabet[Int(bits % 36)]
        bits /= 36
        end += 1
      }
      return end
    }
  }
}

/// Voucher code patterns: `#` a digit, `?` a letter, `*` either; anything else is literal.
///
/// The default alphabets leave out the look-alikes 0/O and 1/I/L, so a code read aloud or
/// copied from paper is typed right the first time.
public struct CodePattern: Sendable, Equatable {
  public static let digits = Array("23456789")
  public static let letters = Array("ABCDEFGHJKMNPQRSTUVWXYZ")

  /// The pattern as written, e.g. `SUMMER-####`.
  public let pattern: String

  /// - Throws: `Reason.invalidPayload` when the pattern has no placeholder at all.
  public init(_ pattern: String) throws(Reason) {
    guard pattern.contains(where: { "#?*".contains($0) }) else {
      throw .invalidPayload("the code pattern “\(pattern)” has no # ? or * to fill in")
    }
    if let bad = pattern.uppercased().unicodeScalars.first(where: {
      !SafeText.isCodeScalar($0) && !"#?*".unicodeScalars.contains($0)
    }) {
      throw .invalidPayload(
        SafeText.isControl(bad)
          ? SafeText.controlMessage(field: "the code pattern", bad)
          : "a code pattern may hold only A–Z, 0–9, - _ . and # ? * (not “\(bad)”)")
    }
    self.pattern = pattern
  }

  /// How many distinct codes the pattern can make (saturating at `Int64.max`).
  public var capacity: Int64 {
    var total: Int64 = 1
    for character in pattern {
      let choices: Int64 =
        switch character {
        case "#": Int64(Self.digits.count)
        case "?": Int64(Self.letters.count)
        case "*": Int64(Self.digits.count + Self.letters.count)
        default: 1
        }
      let (product, overflow) = total.multipliedReportingOverflow(by: choices)
      total = overflow ? .max : product
    }
    return total
  }

  /// One random code from the pattern.
  public func generate<G: RandomNumberGenerator>(using generator: inout G) -> String {
    var code = ""
    code.reserveCapacity(pattern.utf8.count)
    for character in pattern {
      switch character {
      case "#": code.append(Self.digits.randomElement(using: &generator)!)
      case "?": code.append(Self.letters.randomElement(using: &generator)!)
      case "*":
        let both = Self.digits + Self.letters
        code.append(both.randomElement(using: &generator)!)
      default: code.append(character)
      }
    }
    return code
  }
}

extension String {
  /// The form codes are compared in: trimmed (a scanner's trailing Enter included) and
  /// upper-cased.
  public var normalizedCode: String { trimmingSpaces().uppercased() }
}
