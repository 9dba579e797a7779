import Foundation
import VoucherEngine

/// Writing results: human text on stdout, JSON for scripts, one-line errors on stderr.
enum Output {
  /// Text from the database or a file is printed with its control characters made
  /// visible (`\x1b`), so a stored escape sequence cannot rewrite the terminal; line breaks
  /// between lines stay.
  static func line(_ text: String = "") {
    print(visibleLines(text))
  }

  static func visibleLines(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false)
      .map { SafeText.visible(String($0)) }.joined(separator: "\n")
  }

  /// Writes a line straight to the file descriptor, unbuffered: a reader (or a test that
  /// kills this process) sees each line the moment it is acknowledged.
  static func immediate(_ text: String) {
    FileHandle.standardOutput.write(Data((visibleLines(text) + "\n").utf8))
  }

  static func error(_ text: String) {
    FileHandle.standardError.write(Data("voucher-engine: \(visibleLines(text))\n".utf8))
  }

  /// Pretty, key-sorted JSON of plain dictionaries, arrays, strings, numbers and NSNull.
  static func json(_ value: Any) {
    guard
      let data = try? JSONSerialization.data(
        withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else {
      error("internal error: result is not JSON")
      return
    }
    print(String(decoding: data, as: UTF8.self))
  }

  static func date(_ date: Date?) -> Any {
    guard let date else { return NSNull() }
    return date.formatted(.iso8601)
  }

  static func optional(_ value: Any?) -> Any { value ?? NSNull() }

  /// Text columns padded by display width (so 山田 lines up with Latin names).
  static func table(_ rows: [[String]]) -> [String] {
    let rows = rows.map { $0.map { SafeText.visible($0) } }
    guard let columns = rows.map(\.count).max() else { return [] }
    var widths = Array(repeating: 0, count: columns)
    for row in rows {
      for (index, cell) in row.enumerated() {
        widths[index] = max(widths[index], DisplayWidth.of(cell))
      }
    }
    return rows.map { row in
      row.enumerated().map { index, cell in
        index == row.count - 1
          ? cell : cell + String(repeating: " ", count: widths[index] - DisplayWidth.of(cell))
      }.joined(separator: "  ")
    }
  }
}

extension Customer {
  var json: [String: Any] {
    [
      "id": id, "source_id": Output.optional(sourceId), "name": Output.optional(name),
      "email": Output.optional(email), "phone": Output.optional(phone),
      "member_number": Output.optional(memberNumber),
      // Any JSON since metadata became a `JSONValue`: as Foundation objects, or the whole
      // document is refused by JSONSerialization.
      "metadata":
        (try? JSONSerialization.jsonObject(
          with: JSONEncoder().encode(metadata), options: .fragmentsAllowed)) ?? NSNull(),
      "created_at": Output.date(createdAt),
    ]
  }
}

extension Voucher {
  /// Kind and value in words: `10 % off`, `5.00 off`, `gift 280.00 / 500.00`.
  var valueText: String {
    switch kind {
    case .discount(.percent(let basisPoints, let limit)):
      let percent = basisPoints % 100 == 0 ? "\(basisPoints / 100)" : Money.format(basisPoints)
      return "\(percent) % off" + (limit.map { " (max \(Money.format($0)))" } ?? "")
    case .discount(.amount(let amount)): return "\(Money.format(amount)) off"
    case .discount(.fixed(let amount)): return "price \(Money.format(amount))"
    case .gift(let amount, let balance):
      return "gift \(Money.format(balance)) / \(Money.format(amount))"
    }
  }

  func json(status: VoucherStatus) -> [String: Any] {
    var discount: Any = NSNull()
    var gift: Any = NSNull()
    switch kind {
    case .discount(.percent(let basisPoints, let limit)):
      discount = [
        "type": "PERCENT", "percent_off_bp": basisPoints, "amount_limit": Output.optional(limit),
      ]
    case .discount(.amount(let amount)): discount = ["type": "AMOUNT", "amount_off": amount]
    case .discount(.fixed(let amount)): discount = ["type": "FIXED", "fixed_amount": amount]
    case .gift(let amount, let balance): gift = ["amount": amount, "balance": balance]
    }
    return [
      "id": id, "code": code, "type": kind.typeName, "discount": discount, "gift": gift,
      "currency": currency, "status": status.rawValue, "holder_id": Output.optional(holderId),
      "campaign": Output.optional(campaign), "start_date": Output.date(startDate),
      "expiration_date": Output.date(expirationDate), "active": active,
      "redemption": [
        "quantity": Output.optional(quantity), "redeemed_quantity": redeemedQuantity,
        "per_customer": Output.optional(perCustomer),
      ],
      "reactivation": ["limit": reactivationLimit, "count": reactivationCount],
    ]
  }
}

extension Redemption {
  var json: [String: Any] {
    [
      "id": id, "parent_id": Output.optional(parentId),
      "voucher_code": Output.optional(voucherCode),
      "customer_id": Output.optional(customerId), "amount": amount, "status": status.rawValue,
      "date": Output.date(date), "gift_balance_after": Output.optional(giftBalanceAfter),
      "rollback_id": Output.optional(rollbackId),
      "channel": [
        "terminal": Output.optional(channel.terminal), "cashier": Output.optional(channel.cashier),
      ],
      "order": [
        "id": order.id, "source_id": Output.optional(order.sourceId), "amount": order.amount,
        "discount_amount": order.discountAmount, "gift_credits": order.giftCredits,
        "total_amount": order.totalAmount,
        "items": order.items.map { ["sku": $0.sku, "quantity": $0.quantity, "price": $0.price] },
      ],
      "redemptions": children.map(\.json),
    ]
  }
}
