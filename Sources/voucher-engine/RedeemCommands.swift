import Foundation
import VoucherEngine

enum ValidateCommand {
  static let command = Command(
    name: "validate",
    help: """
      Usage: voucher-engine validate CODE... --item SKU:QTY:PRICE [--item ...]
               [--customer REF] [--db PATH] [--json]

      Checks up to 30 codes against a cart without changing anything: discounts in the
      order given, then gift cards (CODE=AMOUNT spends a named gift amount). Prices
      are like 259.00 or 259,00. Exit status 3 when a rule refuses a code.
      """,
    spec: OptionSpec(options: ["customer"], repeatable: ["item"])
  ) { context in
    let request = RedemptionRequest(
      codes: try context.codes(), customer: context.arguments.value("customer"),
      items: try context.items())
    let result = try context.engine().validate(request)
    if context.json {
      Output.json(json(result))
    } else {
      print(result)
    }
    return result.valid ? exitDone : exitRefused
  }

  static func json(_ result: ValidationResult) -> [String: Any] {
    [
      "valid": result.valid, "order_amount": result.orderAmount,
      "discount_amount": result.discountAmount, "gift_credits": result.giftCredits,
      "total_amount": result.totalAmount, "currency": result.currency,
      "redeemables": result.redeemables.map { entry in
        [
          "code": entry.code, "result": entry.isApplicable ? "APPLICABLE" : "INAPPLICABLE",
          "status": Output.optional(entry.status?.rawValue), "discount": entry.discount,
          "gift_credits": entry.giftCredits, "reason": Output.optional(entry.refusal?.key),
          "message": Output.optional(
            entry.refusal.map { CashierWords.sentence(for: $0, currency: result.currency) }),
        ] as [String: Any]
      },
    ]
  }

  static func print(_ result: ValidationResult) {
    let currency = result.currency
    for entry in result.redeemables {
      if let refusal = entry.refusal {
        Output.line(
          "\(entry.code)  refused: \(CashierWords.sentence(for: refusal, currency: currency)) [\(refusal.key)]"
        )
      } else if entry.giftCredits > 0 {
        Output.line("\(entry.code)  gift card pays \(Money.format(entry.giftCredits))")
      } else {
        Output.line("\(entry.code)  discount \(Money.format(entry.discount))")
      }
    }
    Output.line(
      "Order \(Money.format(result.orderAmount))  discount \(Money.format(result.discountAmount))"
        + (result.giftCredits > 0 ? "  gift cards \(Money.format(result.giftCredits))" : "")
        + "  total \(Money.format(result.totalAmount)) \(currency)"
        + (result.valid ? "" : "  (not valid: nothing would be redeemed)"))
  }
}

enum RedeemCommand {
  static let command = Command(
    name: "redeem",
    help: """
      Usage: voucher-engine redeem CODE... --order ORDER_ID --item SKU:QTY:PRICE
               [--item ...] [--customer REF] [--terminal ID] [--cashier NAME]
               [--idempotency-key KEY] [--db PATH] [--json]

      Redeems every code at once or none. Exactly once per (voucher, order): running
      the same command again returns the first redemption (marked "replayed") instead
      of a second one.
      Exit status 3 when a rule refuses a code.
      """,
    spec: OptionSpec(
      options: ["customer", "order", "terminal", "cashier", "idempotency-key"], repeatable: ["item"]
    )
  ) { context in
    let request = RedemptionRequest(
      codes: try context.codes(), customer: context.arguments.value("customer"),
      orderSourceId: try context.arguments.required("order"), items: try context.items(),
      channel: Channel(
        terminal: context.arguments.value("terminal"), cashier: context.arguments.value("cashier")))
    let outcome = try context.engine().redeem(
      request, idempotencyKey: context.arguments.value("idempotency-key"))
    let redemption = outcome.redemption
    if context.json {
      var json = redemption.json
      json["result"] = "redeemed"
      json["replayed"] = outcome.isReplay
      Output.json(json)
    } else {
      let order = redemption.order
      Output.line(
        "\(outcome.isReplay ? "Already redeemed on this order (replayed)" : "Redeemed"): \(redemption.id) on order \(order.sourceId ?? order.id)"
      )
      for part in outcome.perCode {
        let balance = part.giftBalanceAfter.map { "  balance left \(Money.format($0))" } ?? ""
        Output.line("  \(part.voucherCode ?? "")  \(Money.format(part.amount))\(balance)")
      }
      Output.line(
        "Order \(Money.format(order.amount))  discount \(Money.format(order.discountAmount))  to pay \(Money.format(order.totalAmount))"
      )
    }
    return exitDone
  }
}

enum ReactivateCommand {
  static let command = Command(
    name: "reactivate",
    help: """
      Usage: voucher-engine reactivate CODE --reason TEXT [--by NAME] [--db PATH]
               [--json]

      Gives a used voucher one use back by rolling back its latest redemption. At most
      the voucher's reactivation limit (default 3); never for an expired voucher.
      """,
    spec: OptionSpec(options: ["reason", "by"])
  ) { context in
    guard context.arguments.positional.count == 1, let code = context.arguments.positional.first
    else {
      throw UsageError("give one voucher code")
    }
    let rollback = try context.engine().reactivate(
      code: code, reason: try context.arguments.required("reason"),
      by: context.arguments.value("by"))
    if context.json {
      Output.json([
        "id": rollback.id, "redemption_id": rollback.redemptionId,
        "voucher_code": rollback.voucherCode,
        "amount": rollback.amount, "reason": rollback.reason, "by": Output.optional(rollback.by),
        "date": Output.date(rollback.date), "reactivations_left": rollback.reactivationsLeft,
      ])
    } else {
      Output.line(
        "Reactivated \(rollback.voucherCode): rolled back \(rollback.redemptionId) (\(rollback.reactivationsLeft) reactivations left)"
      )
    }
    return exitDone
  }
}

enum RedemptionsCommand {
  static let command = Command(
    name: "redemptions",
    help: """
      Usage: voucher-engine redemptions [--code C] [--customer REF] [--order O]
               [--id R] [--limit N] [--db PATH] [--json]

      Redemptions matching every filter given, newest first.
      """,
    spec: OptionSpec(options: ["code", "customer", "order", "id", "limit"])
  ) { context in
    let engine = try context.engine()
    let found: [Redemption]
    if let id = context.arguments.value("id") {
      guard let redemption = try engine.redemption(id: id) else {
        throw Refusal(code: nil, reason: .redemptionNotFound(id: id))
      }
      found = [redemption]
    } else {
      found = try engine.redemptions(
        RedemptionQuery(
          code: context.arguments.value("code"), customer: context.arguments.value("customer"),
          orderSourceId: context.arguments.value("order"),
          limit: try context.arguments.integer("limit", in: 1...1000) ?? 100))
    }
    if context.json {
      Output.json(["data": found.map(\.json), "total": found.count])
    } else if found.isEmpty {
      Output.line("No redemptions.")
    } else {
      let rows =
        [["ID", "DATE", "CODE", "ORDER", "AMOUNT", "STATUS", "TERMINAL"]]
        + found.map {
          [
            $0.id, $0.date.formatted(.iso8601), $0.voucherCode ?? "(\($0.children.count) codes)",
            $0.order.sourceId ?? $0.order.id, Money.format($0.amount), $0.status.rawValue,
            $0.channel.terminal ?? "-",
          ]
        }
      Output.table(rows).forEach { Output.line($0) }
    }
    return exitDone
  }
}

enum RedeemLoopCommand {
  static let command = Command(
    name: "redeem-loop",
    help: """
      Usage: voucher-engine redeem-loop CODE --order-prefix P --count N
               --item SKU:QTY:PRICE [--customer REF] [--attempt-keys] [--db PATH]

      Redeems CODE under the orders P-1 … P-N, one after another, printing one line
      per attempt as soon as it is acknowledged: "ok ORDER REDEMPTION_ID" or
      "refused ORDER KEY". With --attempt-keys each order is also the attempt's key,
      so `close-attempt` can race it. For soak, concurrency and crash checks against a
      live database.
      """,
    spec: OptionSpec(
      flags: ["attempt-keys"], options: ["order-prefix", "count", "customer"],
      repeatable: ["item"])
  ) { context in
    let prefix = try context.arguments.required("order-prefix")
    guard let count = try context.arguments.integer("count", in: 1...10_000_000) else {
      throw UsageError("--count is required")
    }
    let codes = try context.codes()
    let items = try context.items()
    let engine = try context.engine()
    let keyed = context.arguments.flag("attempt-keys")
    for index in 1...count {
      let order = "\(prefix)-\(index)"
      let request = RedemptionRequest(
        codes: codes, customer: context.arguments.value("customer"), orderSourceId: order,
        items: items)
      do {
        let outcome = try engine.redeem(request, idempotencyKey: keyed ? order : nil)
        Output.immediate("ok \(order) \(outcome.redemption.id)")
      } catch let refusal as Refusal {
        Output.immediate("refused \(order) \(refusal.reason.key)")
      }
    }
    return exitDone
  }
}

enum CloseAttemptCommand {
  static let command = Command(
    name: "close-attempt",
    help: """
      Usage: voucher-engine close-attempt KEY [--db PATH] [--json]
             voucher-engine close-attempt --prefix P --count N [--db PATH]

      The fence for a redeem attempt whose answer was lost: prints
      "made KEY REDEMPTION_ID" when the attempt (sent with that idempotency key) made
      a redemption, otherwise closes it, so that it can never be made later, and
      prints "closed KEY". Asking again gives the same answer. With --prefix and
      --count, does so for P-1 … P-N in turn, a line each (for concurrency checks
      against `redeem-loop --attempt-keys`).
      """,
    spec: OptionSpec(options: ["prefix", "count"])
  ) { context in
    let keys: [String]
    if let prefix = context.arguments.value("prefix") {
      guard let count = try context.arguments.integer("count", in: 1...10_000_000) else {
        throw UsageError("--count is required with --prefix")
      }
      keys = (1...count).map { "\(prefix)-\($0)" }
    } else {
      guard context.arguments.positional.count == 1 else {
        throw UsageError("give one attempt key, or --prefix P --count N")
      }
      keys = context.arguments.positional
    }
    let engine = try context.engine()
    for key in keys {
      let fence = try engine.closeAttempt(key: key)
      if context.json, keys.count == 1 {
        switch fence {
        case .made(let redemption):
          Output.json(["key": key, "state": "made", "redemption": redemption.id])
        case .closed:
          Output.json(["key": key, "state": "closed"])
        }
      } else {
        switch fence {
        case .made(let redemption): Output.immediate("made \(key) \(redemption.id)")
        case .closed: Output.immediate("closed \(key)")
        }
      }
    }
    return exitDone
  }
}
