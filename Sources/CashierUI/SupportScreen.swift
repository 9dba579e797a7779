import Foundation
import VoucherEngine

/// Support only: give a used voucher one use back, with a reason for the audit trail.
public struct SupportScreen: Equatable, Sendable {
  public enum Phase: Equatable, Sendable {
    case editing
    case sending
    case done(Rollback)
    case failed(String)
  }

  public var voucher: Voucher
  public var status: VoucherStatus
  public var holderName: String?
  public var reason = ""
  public var phase = Phase.editing
  /// The back end has no way to give a use back (`BackendCapabilities.unRedeem == .none`).
  public var cannotGiveBack = false

  public init(voucher: Voucher, status: VoucherStatus, holderName: String?) {
    self.voucher = voucher
    self.status = status
    self.holderName = holderName
  }

  public func handle(_ key: Key) -> Action? {
    switch phase {
    case .editing, .failed:
      TextEditing.edit(reason, with: key).map { .reasonEdited($0) }
    case .sending, .done:
      nil
    }
  }

  public func render(into canvas: inout Canvas, in area: Rect) {
    let y = area.y
    canvas.put(
      "Reactivate \(voucher.code) (\(ContactScreen.word(for: status)))".fitted(to: area.width - 4),
      x: 2, y: y, style: .bold)
    canvas.put("Holder", x: 2, y: y + 1)
    canvas.put((holderName ?? "—").fitted(to: area.width - 24), x: 22, y: y + 1)
    canvas.put("Reactivations left", x: 2, y: y + 2)
    let left: Int64
    if case .done(let rollback) = phase {
      left = rollback.reactivationsLeft
    } else {
      left = voucher.reactivationsLeft
    }
    canvas.put("\(left) of \(voucher.reactivationLimit)", x: 22, y: y + 2)
    canvas.put("Reason", x: 2, y: y + 4, style: .bold)
    let editable = phase == .editing || { if case .failed = phase { true } else { false } }()
    canvas.field(reason, x: 22, y: y + 4, width: 50, focused: editable)
    let row = y + 6
    switch phase {
    case .editing where cannotGiveBack:
      canvas.put("This voucher system cannot give a use back.", x: 2, y: row, style: .error)
    case .editing:
      canvas.put("Enter gives one use back; Esc goes back to the contact.", x: 2, y: row)
    case .sending:
      canvas.put("Reactivating…", x: 2, y: row, style: .dim)
    case .done(let rollback):
      let left = rollback.reactivationsLeft
      canvas.put(
        "Reactivated: \(rollback.id); \(left) reactivation\(left == 1 ? "" : "s") left.", x: 2,
        y: row, style: [.success, .bold])
      canvas.put("Esc goes back to the contact.", x: 2, y: row + 1)
    case .failed(let sentence):
      canvas.put(sentence.fitted(to: area.width - 4), x: 2, y: row, style: .error)
    }
  }
}
