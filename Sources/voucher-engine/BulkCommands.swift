import Foundation
import VoucherEngine

enum IssueCommand {
  static let command = Command(
    name: "issue",
    help: """
      Usage: voucher-engine issue --customers FILE.csv --batch NAME
               (--percent P [--amount-limit A] | --amount A | --gift A | --fixed A
                | --template voucher.json)
               [--quantity N] [--per-customer N] [--starts DATE] [--expires DATE]
               [--min-order A] [--pattern "WELCOME-####-####"] [--campaign NAME]
               [--metadata key=value ...] [--out mapping.csv] [--rejects rejects.csv]
               [--chunk ROWS] [--db PATH] [--json]

      Issues one new unique code to every customer of the CSV, bound to them. The
      CSV has a header with source_id and/or email, and optionally name, phone,
      member_number. Customers are upserted. Idempotent per --batch: re-running
      the same command after a crash or Ctrl-C finishes the missing rows and
      issues nothing twice.

      Patterns: # a digit, ? a letter, * either; the alphabets leave out 0/O and
      1/I/L. --out writes source_id,email,code for the whole batch; bad rows go to
      --rejects (default FILE.rejects.csv) with their line numbers, and the good rows
      go through. --chunk sets the rows committed per transaction (default 50000):
      what a crash can cost to redo.
      """,
    spec: OptionSpec(
      options: [
        "customers", "batch", "percent", "amount-limit", "amount", "gift", "fixed", "template",
        "quantity", "per-customer", "starts", "expires", "min-order", "pattern", "campaign", "out",
        "rejects", "chunk",
      ], repeatable: ["metadata"])
  ) { context in
    let arguments = context.arguments
    let file = try arguments.required("customers")
    let batch = try arguments.required("batch")
    let template = try VoucherTemplate.from(arguments)
    let chunk = try arguments.integer("chunk", in: 1...1_000_000) ?? 50_000
    let rejectsPath = arguments.value("rejects") ?? file + ".rejects.csv"
    let rejects = try BufferedFileWriter(path: rejectsPath)
    try rejects.write(CSVWriter.line(["line", "reason"]))

    let engine = try context.engine()
    let progress = Progress(label: "issuing", total: nil)
    let totals: IssueTotals
    do {
      totals = try engine.issue(
        csvPath: file, batch: batch, template: template, chunkSize: chunk,
        onRejected: { line, reason in try rejects.write(CSVWriter.line([String(line), reason])) },
        onProgress: { progress.update(done: $0) })
    } catch let error as IssueFileError {
      try? rejects.close()
      try? FileManager.default.removeItem(atPath: rejectsPath)
      throw UsageError(error.description)
    } catch let error as CSVReader.FormatError {
      try rejects.close()
      Output.error("\(file): \(error); rows before it were issued, re-run after fixing the file")
      return exitFailure
    }
    progress.finish(done: totals.rows)
    try rejects.close()

    if let out = arguments.value("out") {
      let mapping = try BufferedFileWriter(path: out)
      try mapping.write(CSVWriter.line(["source_id", "email", "code"]))
      try engine.eachIssued(batch: batch) { row in
        try mapping.write(CSVWriter.line([row.sourceId ?? "", row.email ?? "", row.code]))
      }
      try mapping.close()
    }
    if totals.rejected == 0 { try? FileManager.default.removeItem(atPath: rejectsPath) }
    if context.json {
      Output.json([
        "batch": batch, "rows": totals.rows, "issued": totals.issued,
        "already_issued": totals.alreadyIssued,
        "rejected": totals.rejected,
        "rejects_file": totals.rejected == 0 ? NSNull() : rejectsPath as Any,
        "mapping_file": Output.optional(arguments.value("out")),
      ])
    } else {
      Output.line(
        "Batch \(batch): \(totals.issued) issued, \(totals.alreadyIssued) already issued, \(totals.rejected) rejected"
          + (totals.rejected == 0 ? "" : " (see \(rejectsPath))"))
    }
    return exitDone
  }
}

/// The voucher template of an issuance, from flags or a JSON file in the catalog layout.
enum VoucherTemplate {
  static func from(_ arguments: Arguments) throws -> VoucherDraft {
    if let path = arguments.value("template") {
      let data: Data
      do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw UsageError("cannot read \(path)")
      }
      let spec: CatalogVoucher
      do {
        var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        object["code"] = object["code"] ?? "TEMPLATE"
        spec = try JSONDecoder().decode(
          CatalogVoucher.self, from: try JSONSerialization.data(withJSONObject: object))
      } catch {
        throw UsageError("\(path) is not a voucher in the catalog layout: \(error)")
      }
      var draft = try spec.draft(currency: "SEK", now: Date())
      draft.code = nil
      draft.codePattern = arguments.value("pattern") ?? (spec.code == "TEMPLATE" ? nil : spec.code)
      return draft
    }
    let kinds = ["percent", "amount", "gift", "fixed"].filter { arguments.value($0) != nil }
    guard kinds.count == 1 else {
      throw UsageError("give exactly one of --percent, --amount, --gift, --fixed or --template")
    }
    func money(_ name: String) throws -> Int64? {
      guard let text = arguments.value(name) else { return nil }
      do { return try Money.parse(text) } catch { throw UsageError("--\(name): \(error)") }
    }
    let kind: VoucherKind
    switch kinds[0] {
    case "percent":
      let text = arguments.value("percent")!
      guard let percent = Decimal(string: text),
        let basisPoints = try? CatalogVoucher.DiscountSpec.basisPoints(percent),
        basisPoints > 0
      else {
        throw UsageError("--percent must be a number above 0 and at most 100, like 10 or 12.5")
      }
      kind = .discount(.percent(basisPoints: basisPoints, amountLimit: try money("amount-limit")))
    case "amount": kind = .discount(.amount(try money("amount")!))
    case "fixed": kind = .discount(.fixed(try money("fixed")!))
    default:
      let amount = try money("gift")!
      kind = .gift(amount: amount, balance: amount)
    }
    func date(_ name: String) throws -> Date? {
      guard let text = arguments.value(name) else { return nil }
      do { return try RelativeDate.parse(text, now: Date()) } catch {
        throw UsageError("--\(name): \(error)")
      }
    }
    var metadata: [String: String] = [:]
    for pair in arguments.all("metadata") {
      let parts = pair.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, !parts[0].isEmpty else {
        throw UsageError("--metadata wants key=value, not \(pair)")
      }
      metadata[String(parts[0])] = String(parts[1])
    }
    var draft = VoucherDraft(
      codePattern: arguments.value("pattern") ?? "VP-####-####",
      campaign: arguments.value("campaign"),
      kind: kind, startDate: try date("starts"), expirationDate: try date("expires"),
      minOrderAmount: try money("min-order"),
      metadata: .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    draft.quantity =
      try arguments.integer("quantity", in: 1...1_000_000_000).map(Int64.init)
      ?? (kinds[0] == "gift" ? nil : 1)
    draft.perCustomer = try arguments.integer("per-customer", in: 1...1_000_000).map(Int64.init)
    return draft
  }
}

enum ExportCommand {
  static let command = Command(
    name: "export",
    help: """
      Usage: voucher-engine export --format csv|voyado-xml --out FILE
               [--status new|used|all] [--since DATE] [--db PATH]

      Writes vouchers for other systems, streamed (memory stays flat on millions of
      rows). new = not used yet, used = used at least once (with the date of the
      latest use). --since keeps vouchers created, or used, on or after DATE
      (2026-11-01 or now-7d). voyado-xml writes the bonus-check layout:
      <bonusChecks><new>…</new><used>…</used></bonusChecks>, one <bonusCheck> per
      voucher with checkNumber, contactKey, amount (four decimals), validFrom,
      expires, bonusPoints (metadata bonus_points, else 0) and usedDate.
      """,
    spec: OptionSpec(options: ["format", "out", "status", "since"])
  ) { context in
    let arguments = context.arguments
    let format = try arguments.required("format")
    guard format == "csv" || format == "voyado-xml" else {
      throw UsageError("--format must be csv or voyado-xml")
    }
    let status = arguments.value("status") ?? "all"
    guard ["new", "used", "all"].contains(status) else {
      throw UsageError("--status must be new, used or all")
    }
    let out = try arguments.required("out")
    var since: Date?
    if let text = arguments.value("since") {
      do { since = try RelativeDate.parse(text, now: Date()) } catch {
        throw UsageError("--since: \(error)")
      }
    }
    let engine = try context.engine()
    let writer = try BufferedFileWriter(path: out)
    let progress = Progress(label: "exporting", total: nil)
    var written = 0
    func wanted(_ row: ExportRow) -> Bool {
      let used = row.voucher.redeemedQuantity > 0
      return status == "all" || (status == "used") == used
    }
    if format == "csv" {
      try writer.write(CSVWriter.line(ExportFormat.csvHeader))
      try engine.eachExportRow(since: since) { row in
        guard wanted(row) else { return }
        try writer.write(CSVWriter.line(ExportFormat.csvFields(row)))
        written += 1
        progress.update(done: written)
      }
    } else {
      // Two passes over one snapshot each keep the <new> and <used> sections apart without
      // holding rows in memory.
      try writer.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bonusChecks>\n")
      for section in ["new", "used"] where status == "all" || status == section {
        try writer.write("  <\(section)>\n")
        try engine.eachExportRow(since: since) { row in
          guard (row.voucher.redeemedQuantity > 0) == (section == "used") else { return }
          try writer.write(ExportFormat.bonusCheck(row))
          written += 1
          progress.update(done: written)
        }
        try writer.write("  </\(section)>\n")
      }
      try writer.write("</bonusChecks>\n")
    }
    try writer.close()
    progress.finish(done: written)
    if context.json {
      Output.json(["file": out, "format": format, "rows": written])
    } else {
      Output.line("Wrote \(written) vouchers to \(out)")
    }
    return exitDone
  }
}

/// The export layouts.
enum ExportFormat {
  static let csvHeader = [
    "code", "type", "value", "currency", "status", "contact_source_id", "contact_email",
    "member_number", "valid_from", "expires", "created_at", "used_date", "redeemed_quantity",
    "quantity",
  ]

  static func csvFields(_ row: ExportRow) -> [String] {
    let voucher = row.voucher
    return [
      voucher.code, voucher.kind.typeName, voucher.valueText, voucher.currency,
      voucher.redeemedQuantity > 0 ? "used" : "new", row.holderSourceId ?? "",
      row.holderEmail ?? "",
      row.holderMemberNumber ?? "", iso(voucher.startDate), iso(voucher.expirationDate),
      iso(voucher.createdAt), iso(row.lastUsed), String(voucher.redeemedQuantity),
      voucher.quantity.map(String.init) ?? "",
    ]
  }

  static func iso(_ date: Date?) -> String { date.map { $0.formatted(.iso8601) } ?? "" }

  /// Minor units as a decimal with four places: 19500 → 195.0000.
  static func fourDecimals(_ minor: Int64) -> String { Money.format(minor) + "00" }

  static func bonusCheck(_ row: ExportRow) -> String {
    let voucher = row.voucher
    let amount: Int64
    switch voucher.kind {
    case .discount(.amount(let value)), .discount(.fixed(let value)): amount = value
    case .gift(let total, _): amount = total
    case .discount(.percent): amount = 0
    }
    // One contact identifier per row: the shop's id, else the member number, else email.
    let contactKey = row.holderSourceId ?? row.holderMemberNumber ?? row.holderEmail ?? ""
    var xml = "    <bonusCheck>\n"
    xml += "      <checkNumber>\(escape(voucher.code))</checkNumber>\n"
    xml += "      <contactKey>\(escape(contactKey))</contactKey>\n"
    xml += "      <amount>\(fourDecimals(amount))</amount>\n"
    xml += "      <validFrom>\(iso(voucher.startDate ?? voucher.createdAt))</validFrom>\n"
    xml += "      <expires>\(iso(voucher.expirationDate))</expires>\n"
    xml +=
      "      <bonusPoints>\(escape(voucher.metadata["bonus_points"]?.scalarText ?? "0"))</bonusPoints>\n"
    if let used = row.lastUsed, voucher.redeemedQuantity > 0 {
      xml += "      <usedDate>\(iso(used))</usedDate>\n"
    }
    return xml + "    </bonusCheck>\n"
  }

  static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default: out.append(character)
      }
    }
    return out
  }
}

enum ImportCommand {
  static let command = Command(
    name: "import",
    help: """
      Usage: voucher-engine import --json FILE [--rejects FILE] [--db PATH]

      Loads customers and vouchers in the catalog layout (the one
      Assets/demo/demo.json uses; dates absolute or relative like now+30d). Each row
      is checked on its own: bad rows are reported (to --rejects, default
      FILE.rejects.txt) and the good ones go in.
      Exit status 0 when every row went in, 3 when some were rejected.
      """,
    spec: OptionSpec(options: ["rejects"])
  ) { context in
    // `--json FILE`: the shared --json flag is set and FILE arrives as the positional argument.
    guard let path = context.arguments.positional.first, context.arguments.positional.count == 1
    else {
      throw UsageError("give the file: voucher-engine import --json FILE")
    }
    let catalog = try Catalog.load(from: URL(fileURLWithPath: path))
    let engine = try context.engine()
    let rejectsPath = context.arguments.value("rejects") ?? path + ".rejects.txt"
    var rejected: [String] = []
    let loaded = try catalog.apply(to: engine, now: Date()) { rejected.append($0) }
    if !rejected.isEmpty {
      try (rejected.joined(separator: "\n") + "\n").write(
        toFile: rejectsPath, atomically: true, encoding: .utf8)
    }
    Output.line(
      "Imported \(loaded.customers) customers, \(loaded.vouchers) vouchers (\(loaded.redemptions) past redemptions); "
        + "\(rejected.count) rejected" + (rejected.isEmpty ? "" : " (see \(rejectsPath))"))
    return rejected.isEmpty ? exitDone : exitRefused
  }
}
