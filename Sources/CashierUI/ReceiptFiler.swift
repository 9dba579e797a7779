import Foundation
import VoucherEngine

/// Where receipts go: a plain-text file per sale in one folder (a VOID copy beside it when
/// the sale is voided), and to the system's `lp` when asked. A receipt that cannot be written
/// or printed is reported; the sale is never affected.
public struct ReceiptFiler: Sendable {
  public var folder: String
  /// Columns of the receipt printer: 42 or 48.
  public var width: Int
  /// Send each receipt to `lp` too.
  public var prints: Bool
  /// Where `lp` is looked for.
  var lpPaths = ["/usr/bin/lp", "/bin/lp", "/usr/local/bin/lp"]

  public init(folder: String, width: Int, prints: Bool) {
    self.folder = folder
    self.width = width
    self.prints = prints
  }

  /// `$XDG_STATE_HOME/voucher-pos/receipts` (`~/.local/state/…` by default).
  public static func defaultFolder(environment: [String: String]) -> String {
    let base =
      environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
      ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
    return "\(base)/voucher-pos/receipts"
  }

  /// The file of a sale's receipt (`VOID` for a voided copy).
  public func path(orderId: String, voided: Bool) -> String {
    let safe = String(
      orderId.unicodeScalars.map {
        CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" || $0 == "."
          ? Character($0) : "_"
      })
    return "\(folder)/\(safe)\(voided ? ".VOID" : "").txt"
  }

  /// Writes the receipt and prints it when asked; the sentence says what happened.
  public func file(_ receipt: PrintedReceipt) -> Notice {
    let text = ReceiptText.lines(receipt, width: width).joined(separator: "\n") + "\n"
    let path = path(orderId: receipt.orderId, voided: receipt.voided != nil)
    do {
      try FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      return Notice(
        "The receipt could not be saved (\(path)): \(error.localizedDescription)", isError: true)
    }
    guard prints else { return Notice("Receipt saved: \(path)") }
    guard let lp = lpPaths.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
      return Notice(
        "Receipt saved: \(path). Not printed: lp is not installed (apt-get install cups-client).",
        isError: true)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: lp)
    process.arguments = [path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
      process.waitUntilExit()
    } catch {
      return Notice(
        "Receipt saved: \(path). Not printed: \(error.localizedDescription)", isError: true)
    }
    guard process.terminationStatus == 0 else {
      return Notice(
        "Receipt saved: \(path). Not printed: lp said no (status \(process.terminationStatus)).",
        isError: true)
    }
    return Notice("Receipt saved and printed: \(path)")
  }
}

extension PrintedReceipt {
  /// The receipt of a redemption the back end recorded (a stacked parent with its parts).
  init(_ redemption: Redemption, session: Session, currency: String) {
    let parts = redemption.children.isEmpty ? [redemption] : redemption.children
    self.init(
      till: redemption.channel.terminal ?? session.terminal,
      cashier: redemption.channel.cashier ?? session.cashier,
      orderId: redemption.order.sourceId ?? redemption.order.id, date: redemption.date,
      timeZone: session.timeZone,
      lines: redemption.order.items.map {
        Line(sku: $0.sku, quantity: $0.quantity, unitPrice: $0.price, amount: $0.amount)
      },
      codes: parts.compactMap { part in
        part.voucherCode.map {
          Code(
            code: $0, kind: part.giftBalanceAfter == nil ? .discount : .gift, amount: part.amount,
            giftBalanceLeft: part.giftBalanceAfter)
        }
      },
      subtotal: redemption.order.amount, discount: redemption.order.discountAmount,
      giftCredits: redemption.order.giftCredits, amountToPay: redemption.order.totalAmount,
      currency: currency, redemptionId: redemption.id)
  }
}
