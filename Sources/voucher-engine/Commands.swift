import Foundation
import VoucherEngine

enum SeedCommand {
  static let command = Command(
    name: "seed",
    help: """
      Usage: voucher-engine seed --demo [--force] [--db PATH] [--json]

      Loads the demo customers and vouchers (Assets/demo/demo.json, or the file named
      by $VOUCHER_POS_DEMO_DATA), replaying their past redemptions. Refuses a database
      that already holds data unless --force, which deletes the database first (on
      PostgreSQL: drops and makes again the engine's tables).
      """,
    spec: OptionSpec(flags: ["demo", "force"])
  ) { context in
    guard context.arguments.flag("demo") else {
      throw UsageError("say --demo (the only data set so far)")
    }
    guard let url = DemoCatalog.locate() else {
      throw CatalogError(message: "cannot find Assets/demo/demo.json; set VOUCHER_POS_DEMO_DATA")
    }
    let catalog = try Catalog.load(from: url)
    let path = try context.databasePath
    if context.arguments.flag("force"), !PostgreSQLStore.isLocation(path) {
      for suffix in ["", "-wal", "-shm"] {
        try? FileManager.default.removeItem(atPath: path + suffix)
      }
    }
    let engine = try context.engine()
    if context.arguments.flag("force"), let store = engine.store as? PostgreSQLStore {
      try store.erase()
    }
    let before = try engine.counts()
    guard before.customers + before.vouchers == 0 else {
      Output.error(
        "\(path) already holds \(before.customers) customers and \(before.vouchers) vouchers; add --force to replace them"
      )
      return exitFailure
    }
    // One transaction: a demo database is either fully seeded or left empty.
    let loaded = try catalog.applyInOneTransaction(to: engine, now: engine.clock.now())
    if context.json {
      Output.json([
        "database": path, "customers": loaded.customers, "vouchers": loaded.vouchers,
        "redemptions": loaded.redemptions,
      ])
    } else {
      Output.line(
        "Loaded \(loaded.customers) customers, \(loaded.vouchers) vouchers and \(loaded.redemptions) past redemptions into \(path)"
      )
    }
    return exitDone
  }
}

enum FindCustomersCommand {
  static let command = Command(
    name: "customers find",
    help: """
      Usage: voucher-engine customers find QUERY [--limit N] [--db PATH] [--json]

      Finds contacts by id, source id, email, phone or member number (exactly)
      or by the start of any word of the name ("lind", "ali ex"). Several
      matches are listed.
      """,
    spec: OptionSpec(options: ["limit"])
  ) { context in
    let query = context.arguments.positional.joined(separator: " ")
    guard !query.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw UsageError("give a name, email, phone or id to look for")
    }
    let limit = try context.arguments.integer("limit", in: 1...1000) ?? 20
    let found = try context.engine().findCustomers(query, limit: limit)
    if context.json {
      Output.json(["data": found.map(\.json), "total": found.count])
    } else if found.isEmpty {
      Output.line("No customer matches “\(query)”.")
    } else {
      let rows =
        [["SOURCE ID", "NAME", "EMAIL", "PHONE", "MEMBER"]]
        + found.map {
          [
            $0.sourceId ?? "-", $0.name ?? "-", $0.email ?? "-", $0.phone ?? "-",
            $0.memberNumber ?? "-",
          ]
        }
      Output.table(rows).forEach { Output.line($0) }
    }
    return exitDone
  }
}

enum ListVouchersCommand {
  static let command = Command(
    name: "vouchers list",
    help: """
      Usage: voucher-engine vouchers list --customer ID|SOURCE_ID|EMAIL
               [--status available|redeemed|expired|all] [--page N] [--limit N]
               [--db PATH] [--json]

      A contact's vouchers under one tab (default all), with the count of every tab.
      """,
    spec: OptionSpec(options: ["customer", "status", "page", "limit"])
  ) { context in
    let reference = try context.arguments.required("customer")
    let statusText = context.arguments.value("status") ?? "all"
    guard let filter = VoucherFilter(rawValue: statusText) else {
      throw UsageError("--status must be available, redeemed, expired or all")
    }
    let page = try context.arguments.integer("page", in: 1...1_000_000) ?? 1
    let limit = try context.arguments.integer("limit", in: 1...1000) ?? 50
    let result = try context.engine().vouchers(
      of: reference, filter: filter, page: page, limit: limit)
    let counts = Dictionary(
      uniqueKeysWithValues: VoucherFilter.allCases.map { ($0.rawValue, result.counts[$0] ?? 0) })
    if context.json {
      Output.json([
        "data": result.items.map { $0.voucher.json(status: $0.status) }, "counts": counts,
        "total": result.total, "page": result.page, "limit": result.limit,
      ])
    } else {
      Output.line(
        VoucherFilter.allCases.map { "\($0.rawValue.capitalized) \(result.counts[$0] ?? 0)" }
          .joined(separator: " · "))
      if result.items.isEmpty {
        Output.line("No \(filter == .all ? "" : filter.rawValue + " ")vouchers.")
      } else {
        let rows = [["CODE", "VALUE", "USES", "EXPIRES", "STATUS"]] + result.items.map(row)
        Output.table(rows).forEach { Output.line($0) }
      }
    }
    return exitDone
  }

  static func row(_ listed: ListedVoucher) -> [String] {
    let voucher = listed.voucher
    let uses =
      voucher.quantity.map { "\(voucher.redeemedQuantity)/\($0)" }
      ?? "\(voucher.redeemedQuantity)/∞"
    let expires =
      voucher.expirationDate.map { CashierWords.formatDay($0, timeZone: .current) } ?? "-"
    return [voucher.code, voucher.valueText, uses, expires, listed.status.rawValue]
  }
}

enum ShowVoucherCommand {
  static let command = Command(
    name: "voucher show",
    help: """
      Usage: voucher-engine voucher show CODE [--db PATH] [--json]

      One voucher: kind, value, uses, dates, holder, reactivations and its status now.
      """,
    spec: OptionSpec()
  ) { context in
    guard context.arguments.positional.count == 1, let code = context.arguments.positional.first
    else {
      throw UsageError("give one voucher code")
    }
    let engine = try context.engine()
    guard let voucher = try engine.voucher(code: code) else {
      throw Refusal(code: code, reason: .notFound(code: code.uppercased()))
    }
    let status = voucher.status(at: engine.clock.now())
    if context.json {
      Output.json(voucher.json(status: status))
    } else {
      let day = { (date: Date?) in
        date.map { CashierWords.formatDay($0, timeZone: .current) } ?? "-"
      }
      Output.table([
        ["Code", voucher.code], ["Status", status.rawValue], ["Value", voucher.valueText],
        [
          "Uses",
          voucher.quantity.map { "\(voucher.redeemedQuantity) of \($0)" }
            ?? "\(voucher.redeemedQuantity), unlimited",
        ],
        ["Valid", "\(day(voucher.startDate)) – \(day(voucher.expirationDate))"],
        ["Holder", voucher.holderId ?? "anyone"],
        ["Reactivations", "\(voucher.reactivationCount) of \(voucher.reactivationLimit)"],
      ]).forEach { Output.line($0) }
    }
    return exitDone
  }
}
