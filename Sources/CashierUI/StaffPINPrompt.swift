import Foundation
import VoucherEngine

/// Support work on a local database asks a support member's name and PIN once per session
/// (`voucher-engine staff add --role support`): `--role support` alone unlocks nothing,
/// since anyone can type a flag. Drawn over the screen; Enter checks, Tab moves between the
/// two fields, Esc gives up the support work.
public struct StaffPINPrompt: Equatable, Sendable {
  public enum Field: Equatable, Sendable { case name, pin }

  public enum Phase: Equatable, Sendable {
    case typing
    case checking
    /// The last PIN was not accepted: why, in the cashier's words.
    case refused(String)
  }

  /// The support work that asked: carried out once the PIN is accepted.
  public enum Work: Equatable, Sendable {
    case reactivate
    case void
  }

  public var name: String
  public var pin = ""
  public var focus: Field
  public var phase = Phase.typing
  public let work: Work
  /// Shown in a demo only, so the support screens can be tried.
  public var demoHint: String?

  /// The longest PIN the engine takes (`voucher-engine staff add`).
  static let pinLimit = 12

  public init(name: String, work: Work, demoHint: String? = nil) {
    self.name = name
    self.work = work
    self.demoHint = demoHint
    focus = name.isEmpty ? .name : .pin
  }

  /// The focused field's text after `key`, or nil when the key does not edit it. A PIN
  /// takes digits only.
  func edited(with key: Key) -> (Field, String)? {
    switch focus {
    case .name:
      return TextEditing.edit(name, with: key).map { (.name, $0) }
    case .pin:
      if case .character(let character) = key {
        guard character.isASCII, character.isNumber, pin.count < Self.pinLimit else {
          return nil
        }
      }
      return TextEditing.edit(pin, with: key).map { (.pin, $0) }
    }
  }

  func render(into canvas: inout Canvas) {
    let width = min(canvas.width - 4, 64)
    let left = (canvas.width - width) / 2
    let top = max(1, canvas.height / 2 - 4)
    let purpose = work == .reactivate ? "reactivate a voucher" : "void this sale"
    var lines: [(String, Style)] = [
      ("Support PIN needed to \(purpose)", .bold),
      ("", []),
      ("", []),
      ("", []),
    ]
    switch phase {
    case .typing: lines.append(("Enter checks it; Tab: name or PIN; Esc: not now.", []))
    case .checking: lines.append(("Checking the PIN…", .dim))
    case .refused(let why): lines.append((why, .error))
    }
    if let demoHint { lines.append((demoHint, .dim)) }
    let rule = String(repeating: "─", count: width - 2)
    canvas.put("┌\(rule)┐", x: left, y: top)
    for (offset, line) in lines.enumerated() {
      let row = top + 1 + offset
      canvas.fill(y: row, x: left, count: width, style: [])
      canvas.put("│", x: left, y: row)
      canvas.put(line.0.fitted(to: width - 4), x: left + 2, y: row, style: line.1)
      canvas.put("│", x: left + width - 1, y: row)
    }
    canvas.put("└\(rule)┘", x: left, y: top + 1 + lines.count)
    let fieldWidth = width - 16
    let editable = phase != .checking
    canvas.cursor = nil
    canvas.put("Name", x: left + 2, y: top + 2)
    canvas.field(
      name, x: left + 10, y: top + 2, width: fieldWidth, focused: editable && focus == .name)
    canvas.put("PIN", x: left + 2, y: top + 3)
    // Never the digits: one dot each.
    canvas.field(
      String(repeating: "•", count: pin.count), x: left + 10, y: top + 3, width: fieldWidth,
      focused: editable && focus == .pin)
  }
}
