import Foundation
import Testing

@testable import VoucherEngine

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite("CSV")
struct CSVTests {
  private func records(_ text: String) throws -> [CSVReader.Record] {
    let folder = try TemporaryFolder()
    let path = folder.path("in.csv")
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    var reader = try CSVReader(path: path)
    var all: [CSVReader.Record] = []
    while let record = try reader.next() { all.append(record) }
    return all
  }

  @Test("quotes, embedded commas and newlines, doubled quotes, BOM and CRLF are read right")
  func edgeCases() throws {
    let text =
      "\u{FEFF}source_id,name\r\n" + "a,\"Lind, Åsa\"\r\n" + "b,\"two\nlines\"\r\n"
      + "c,\"say \"\"hi\"\"\"\r\n" + "\r\n" + "d,\r\n" + "e,last"
    let read = try records(text)
    #expect(
      read.map(\.fields) == [
        ["source_id", "name"], ["a", "Lind, Åsa"], ["b", "two\nlines"], ["c", "say \"hi\""],
        ["d", ""],
        ["e", "last"],
      ])
    // Line numbers are where each record starts; the quoted newline and the blank line count.
    #expect(read.map(\.line) == [1, 2, 3, 5, 7, 8])
  }

  @Test("an unterminated quote is reported with its line")
  func unterminatedQuote() throws {
    #expect(throws: CSVReader.FormatError.self) { try records("id,name\n1,\"open\n2,x\n") }
  }

  @Test("writing quotes only what needs it and reads back the same")
  func writeReadBack() throws {
    let fields = ["plain", "a,b", "say \"x\"", "two\nlines", "Åsa"]
    #expect(try records(CSVWriter.line(fields)).first?.fields == fields)
    #expect(CSVWriter.line(["a", "b"]) == "a,b\r\n")
  }
}

@Suite("Bulk issuance")
struct IssuanceTests {
  private let template = VoucherDraft(
    codePattern: "WELCOME-####-####",
    kind: .discount(.percent(basisPoints: 1000, amountLimit: nil)),
    quantity: 1)

  private func rows(_ range: Range<Int>) -> [IssueRow] {
    range.map {
      IssueRow(
        line: $0 + 2,
        customer: CustomerDraft(
          sourceId: "c-\($0)", name: "Person \($0)", email: "p\($0)@example.com"))
    }
  }

  @Test("each customer gets one bound code; a re-run issues nothing twice")
  func idempotentRerun() throws {
    let engine = try makeEngine()
    let first = try engine.issue(batch: "welcome", template: template, rows: rows(0..<50))
    #expect(first.issued == 50)
    let again = try engine.issue(batch: "welcome", template: template, rows: rows(0..<60))
    #expect(again.issued == 10)
    #expect(again.alreadyIssued == 50)
    var mapping: [IssuedRow] = []
    try engine.eachIssued(batch: "welcome") { mapping.append($0) }
    #expect(mapping.count == 60)
    #expect(Set(mapping.map(\.code)).count == 60)
    #expect(mapping.map(\.line) == (0..<60).map { $0 + 2 })
    let page = try engine.vouchers(of: "c-7")
    #expect(page.items.count == 1)
    #expect(page.items.first?.voucher.code.hasPrefix("WELCOME-") == true)
  }

  @Test("a bad row is rejected with its line and the good rows go through")
  func rejectsBadRows() throws {
    let engine = try makeEngine()
    var input = rows(0..<3)
    input.append(IssueRow(line: 9, customer: CustomerDraft(name: "Nobody")))
    input.append(IssueRow(line: 10, customer: CustomerDraft(sourceId: "x", email: "not-an-email")))
    input.append(
      IssueRow(line: 11, customer: CustomerDraft(sourceId: "y", email: "p0@example.com")))
    let result = try engine.issue(batch: "b", template: template, rows: input)
    #expect(result.issued == 3)
    #expect(result.rejected.map(\.line) == [9, 10, 11])
    #expect(result.rejected[2].reason.contains("belongs to another customer"))
  }

  @Test("a batch refuses a different template under the same name")
  func templateChangeRefused() throws {
    let engine = try makeEngine()
    try engine.issue(batch: "b", template: template, rows: rows(0..<2))
    var other = template
    other.kind = .discount(.amount(500))
    let reason = refusal { try engine.issue(batch: "b", template: other, rows: rows(0..<2)) }
    guard case .invalidPayload(let text)? = reason else {
      Issue.record("expected invalidPayload, got \(String(describing: reason))")
      return
    }
    #expect(text.contains("different voucher template"))
  }

  @Test("a pattern whose space runs out stops with a clear error")
  func patternExhaustion() throws {
    let engine = try makeEngine()
    var small = template
    small.codePattern = "X-#"  // 8 codes
    let reason = refusal { try engine.issue(batch: "tiny", template: small, rows: rows(0..<9)) }
    guard case .invalidPayload(let text)? = reason else {
      Issue.record("expected invalidPayload, got \(String(describing: reason))")
      return
    }
    #expect(text.contains("no free codes"))
    // All or nothing per chunk: nothing of the failed chunk stayed.
    var issued = 0
    try engine.eachIssued(batch: "tiny") { _ in issued += 1 }
    #expect(issued == 0)
  }
}

@Suite("Issue and export commands")
struct BulkCommandTests {
  private func writeCustomers(_ count: Int, to path: String) throws {
    var text = "source_id,email,name\n"
    for index in 0..<count { text += "c-\(index),p\(index)@example.com,Person \(index)\n" }
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  @Test("killed mid-batch and run again, every customer ends with exactly one voucher")
  func killAndResume() throws {
    let folder = try TemporaryFolder()
    let csv = folder.path("customers.csv")
    let db = folder.path("engine.sqlite")
    let count = 6_000
    try writeCustomers(count, to: csv)
    let arguments = [
      "issue", "--customers", csv, "--batch", "autumn", "--amount", "50", "--pattern",
      "AU-****-****",
      "--chunk", "200", "--db", db,
    ]
    let child = Process()
    child.executableURL = try EngineProcess.executable
    child.arguments = arguments
    child.standardOutput = FileHandle.nullDevice
    child.standardError = FileHandle.nullDevice
    try child.run()
    // Kill it once some chunks are committed and before it is done.
    let watcher = try VoucherEngine(path: db)
    let deadline = Date().addingTimeInterval(60)
    var committed = 0
    while Date() < deadline && child.isRunning {
      committed = 0
      try watcher.eachIssued(batch: "autumn") { _ in committed += 1 }
      if committed >= 400 { break }
      usleep(2_000)
    }
    kill(child.processIdentifier, SIGKILL)
    child.waitUntilExit()
    #expect(committed < count, "the batch finished before it could be killed; make it larger")

    let out = folder.path("mapping.csv")
    let rerun = try EngineProcess.run(arguments + ["--out", out, "--json"])
    #expect(rerun.status == 0)
    let engine = try VoucherEngine(path: db)
    var mapping: [IssuedRow] = []
    try engine.eachIssued(batch: "autumn") { mapping.append($0) }
    #expect(mapping.count == count)
    #expect(Set(mapping.compactMap(\.sourceId)).count == count)
    #expect(Set(mapping.map(\.code)).count == count)
    #expect(try engine.counts().vouchers == count)
    let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\r\n")
    #expect(lines.first == "source_id,email,code")
    #expect(lines.count == count + 1)
  }

  @Test("the Voyado XML export parses back with new and used bonus checks")
  func voyadoExport() throws {
    let folder = try TemporaryFolder()
    let db = folder.path("engine.sqlite")
    let engine = try VoucherEngine(path: db)
    try engine.upsertCustomer(
      CustomerDraft(sourceId: "c-1", name: "Åsa & Co", email: "a@example.com"))
    try engine.createVoucher(
      VoucherDraft(
        code: "BONUS-1", kind: .discount(.amount(19_500)), holder: "c-1", quantity: 1,
        metadata: ["bonus_points": "1950"]))
    try engine.createVoucher(
      VoucherDraft(code: "BONUS-2", kind: .discount(.amount(5_000)), holder: "c-1", quantity: 1))
    try engine.redeem(
      RedemptionRequest(
        codes: [CodeRequest("BONUS-2")], customer: "c-1", orderSourceId: "o-1",
        items: [CartItem(sku: "x", quantity: 1, price: 10_000)]))
    let out = folder.path("checks.xml")
    #expect(
      try EngineProcess.run(["export", "--format", "voyado-xml", "--out", out, "--db", db]).status
        == 0)

    let parsed = try BonusCheckParser.parse(Data(contentsOf: URL(fileURLWithPath: out)))
    #expect(parsed["new"]?.map { $0["checkNumber"] } == ["BONUS-1"])
    #expect(parsed["used"]?.map { $0["checkNumber"] } == ["BONUS-2"])
    let bonus = try #require(parsed["new"]?.first)
    #expect(bonus["amount"] == "195.0000")
    #expect(bonus["contactKey"] == "c-1")
    #expect(bonus["bonusPoints"] == "1950")
    #expect(bonus["usedDate"] == nil)
    #expect(parsed["used"]?.first?["usedDate"] != nil)
    #expect(parsed["used"]?.first?["amount"] == "50.0000")

    let csv = folder.path("all.csv")
    #expect(
      try EngineProcess.run([
        "export", "--format", "csv", "--status", "used", "--out", csv, "--db", db,
      ]).status
        == 0)
    let text = try String(contentsOfFile: csv, encoding: .utf8)
    #expect(text.split(separator: "\r\n").count == 2)
    #expect(text.contains("BONUS-2,DISCOUNT_VOUCHER,50.00 off,SEK,used,c-1,a@example.com"))
  }
}

/// Reads `<bonusChecks><new|used><bonusCheck><field>…` into section → rows of fields.
final class BonusCheckParser: NSObject, XMLParserDelegate {
  private var sections: [String: [[String: String]]] = [:]
  private var section: String?
  private var row: [String: String]?
  private var text = ""

  static func parse(_ data: Data) throws -> [String: [[String: String]]] {
    let delegate = BonusCheckParser()
    let parser = XMLParser(data: data)
    parser.delegate = delegate
    guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
    return delegate.sections
  }

  func parser(
    _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
    qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    text = ""
    if name == "new" || name == "used" {
      section = name
      sections[name, default: []] = sections[name] ?? []
    } else if name == "bonusCheck" {
      row = [:]
    }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

  func parser(
    _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
  ) {
    if name == "bonusCheck", let row, let section {
      sections[section, default: []].append(row)
      self.row = nil
    } else if row != nil {
      row?[name] = text
    }
  }
}
