import Foundation
import Synchronization
import VoucherClient
import VoucherEngine

/// A redeem attempt as the journal keeps it: enough for a later run of the till to resolve
/// it through the back end and to tell the cashier what it was.
public struct JournalAttempt: Equatable, Sendable {
  public var attempt: RedeemAttempt
  /// The back end it was sent to (a path or URL): only that back end can resolve it.
  public var backend: String
  public var customerName: String?
  public var subtotal: Int64
  public var discount: Int64
  public var giftCredits: Int64
  public var total: Int64
  public var currency: String

  public init(
    attempt: RedeemAttempt, backend: String, customerName: String?, subtotal: Int64,
    discount: Int64, giftCredits: Int64, total: Int64, currency: String
  ) {
    self.attempt = attempt
    self.backend = backend
    self.customerName = customerName
    self.subtotal = subtotal
    self.discount = discount
    self.giftCredits = giftCredits
    self.total = total
    self.currency = currency
  }
}

/// How an attempt ended, as the journal records it.
public enum JournalOutcome: String, Equatable, Sendable {
  /// A redemption exists for it.
  case redeemed
  /// The back end guaranteed it never lands (the fence closed it, or a rule refused it).
  case notRedeemed = "not_redeemed"
}

/// The till's journal: before a redeem is sent, the attempt is appended and synced to disk;
/// its outcome is appended when known. A till that quits, crashes or loses power while an
/// outcome is unknown finds the attempt here on its next start and resolves it before the
/// first sale. One JSON object per line; a line that cannot be read is reported and
/// skipped, never fatal.
public final class Journal: Sendable {
  public let path: String
  /// The lock that makes this till the journal's only writer, once claimed.
  private let claimed = Mutex<Int32?>(nil)

  public init(path: String) {
    self.path = path
  }

  deinit {
    claimed.withLock { descriptor in
      if let descriptor { close(descriptor) }
    }
  }

  /// Makes this process the journal's only user until it exits. Two tills on one journal
  /// (two started with the same `--terminal` by one user) would each compact away the
  /// other's unresolved attempts, and a till would forget a sale whose outcome it does not
  /// know. The lock is on `PATH.lock`, not on the journal, whose file compaction replaces.
  public func claim() throws(JournalError) {
    guard claimed.withLock({ $0 == nil }) else { return }
    let lockPath = path + ".lock"
    try makeFolder(for: lockPath)
    let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw JournalError(
        description: "cannot open \(lockPath): \(String(cString: strerror(errno)))")
    }
    guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      let busy = errno == EWOULDBLOCK
      let reason = String(cString: strerror(errno))
      close(descriptor)
      throw JournalError(
        description: busy
          ? "another till is running with the journal \(path); give each till on this machine its own --terminal (or --journal)"
          : "cannot lock \(lockPath): \(reason)")
    }
    claimed.withLock { $0 = descriptor }
  }

  /// `$XDG_STATE_HOME/voucher-pos/journal-TERMINAL.jsonl` (`~/.local/state/…` by default).
  public static func defaultPath(terminal: String, environment: [String: String]) -> String {
    let base =
      environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
      ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
    let safe = String(
      terminal.unicodeScalars.map {
        CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" ? Character($0) : "_"
      })
    return "\(base)/voucher-pos/journal-\(safe).jsonl"
  }

  public struct JournalError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
      self.description = description
    }
  }

  /// What the journal holds: attempts with no outcome yet, and a sentence for each line
  /// that could not be read.
  public struct Contents: Equatable, Sendable {
    public var unresolved: [JournalAttempt] = []
    public var problems: [String] = []
  }

  /// Reads the journal (a missing file is an empty journal).
  public func read() -> Contents {
    var contents = Contents()
    guard let data = FileManager.default.contents(atPath: path) else { return contents }
    var attempts: [(String, JournalAttempt)] = []
    var ended: Set<String> = []
    let decoder = JSONDecoder()
    for (index, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
      guard let record = try? decoder.decode(Line.self, from: Data(line)) else {
        contents.problems.append(
          "Line \(index + 1) of the journal \(path) could not be read and was skipped.")
        continue
      }
      switch record.kind {
      case "attempt":
        guard let attempt = record.attempt else {
          contents.problems.append(
            "Line \(index + 1) of the journal \(path) is an incomplete attempt and was skipped.")
          continue
        }
        attempts.append((attempt.attempt.key, attempt))
      case "outcome":
        ended.insert(record.key)
      default:
        contents.problems.append(
          "Line \(index + 1) of the journal \(path) is of an unknown kind and was skipped.")
      }
    }
    contents.unresolved = attempts.filter { !ended.contains($0.0) }.map(\.1)
    return contents
  }

  /// Appends the attempt and syncs it to disk: only then may it be sent.
  public func append(_ entry: JournalAttempt) throws(JournalError) {
    try append(Line(entry))
  }

  /// Appends an outcome (synced too: an outcome lost would only make the next run ask again).
  public func append(outcome: JournalOutcome, of key: String, redemptionId: String?, at date: Date)
    throws(JournalError)
  {
    try append(Line(key: key, outcome: outcome, redemptionId: redemptionId, at: date))
  }

  /// Rewrites the journal with only `unresolved` attempts (atomically: a new file renamed
  /// over the old), so that it does not grow without end.
  public func compact(keeping unresolved: [JournalAttempt]) throws(JournalError) {
    let lines = unresolved.map { Self.encode(Line($0)) }
    let temporary = path + ".new"
    try write(lines.joined(), to: temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
    guard rename(temporary, path) == 0 else {
      throw JournalError(description: "cannot replace \(path): \(String(cString: strerror(errno)))")
    }
    syncFolder()
  }

  private func append(_ line: Line) throws(JournalError) {
    let existed = FileManager.default.fileExists(atPath: path)
    try write(Self.encode(line), to: path, flags: O_WRONLY | O_CREAT | O_APPEND)
    if !existed { syncFolder() }
  }

  /// The file's folder and its parents, made private; an error names the folder that could
  /// not be made and the system's reason ("Permission denied"), not Foundation's wording.
  private func makeFolder(for file: String) throws(JournalError) {
    var missing: [String] = []
    var folder = (file as NSString).deletingLastPathComponent
    while !folder.isEmpty, folder != "/", access(folder, F_OK) != 0 {
      missing.append(folder)
      folder = (folder as NSString).deletingLastPathComponent
    }
    for folder in missing.reversed() where mkdir(folder, 0o700) != 0 && errno != EEXIST {
      throw JournalError(
        description: "cannot create \(folder): \(String(cString: strerror(errno)))")
    }
  }

  private func write(_ text: String, to file: String, flags: Int32) throws(JournalError) {
    try makeFolder(for: file)
    let descriptor = open(file, flags | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      throw JournalError(description: "cannot open \(file): \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
      let result = bytes[written...].withUnsafeBytes {
        Foundation.write(descriptor, $0.baseAddress, $0.count)
      }
      if result < 0, errno == EINTR { continue }
      guard result > 0 else {
        throw JournalError(
          description: "cannot write \(file): \(String(cString: strerror(errno)))")
      }
      written += result
    }
    guard fsync(descriptor) == 0 else {
      throw JournalError(description: "cannot sync \(file): \(String(cString: strerror(errno)))")
    }
  }

  /// A new file's name is durable only once its folder is synced.
  private func syncFolder() {
    let descriptor = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    fsync(descriptor)
    close(descriptor)
  }

  private static func encode(_ line: Line) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Encoding these plain values cannot fail.
    return String(decoding: try! encoder.encode(line), as: UTF8.self) + "\n"
  }
}

/// One journal line, as JSON.
private struct Line: Codable {
  struct Code: Codable {
    var code: String
    var gift: Int64?
  }
  struct Item: Codable {
    var sku: String
    var quantity: Int64
    var price: Int64
  }

  var kind: String
  var key: String
  /// Seconds since 1970, with the fraction: a wait a back end needs is counted from it.
  var at: Double
  // An attempt's fields.
  var order: String?
  var backend: String?
  var customer: String?
  var customerName: String?
  var codes: [Code]?
  var items: [Item]?
  var terminal: String?
  var cashier: String?
  var subtotal: Int64?
  var discount: Int64?
  var giftCredits: Int64?
  var total: Int64?
  var currency: String?
  // An outcome's fields.
  var outcome: String?
  var redemption: String?

  enum CodingKeys: String, CodingKey {
    case kind, key, at, order, backend, customer, codes, items, terminal, cashier, subtotal
    case discount, total, currency, outcome, redemption
    case customerName = "customer_name"
    case giftCredits = "gift_credits"
  }

  init(_ entry: JournalAttempt) {
    let request = entry.attempt.request
    kind = "attempt"
    key = entry.attempt.key
    at = entry.attempt.sentAt.timeIntervalSince1970
    order = request.orderSourceId
    backend = entry.backend
    customer = request.customer
    customerName = entry.customerName
    codes = request.codes.map { Code(code: $0.code, gift: $0.giftCredits) }
    items = request.items.map { Item(sku: $0.sku, quantity: $0.quantity, price: $0.price) }
    terminal = request.channel.terminal
    cashier = request.channel.cashier
    subtotal = entry.subtotal
    discount = entry.discount
    giftCredits = entry.giftCredits
    total = entry.total
    currency = entry.currency
  }

  init(key: String, outcome: JournalOutcome, redemptionId: String?, at date: Date) {
    kind = "outcome"
    self.key = key
    at = date.timeIntervalSince1970
    self.outcome = outcome.rawValue
    redemption = redemptionId
  }

  var attempt: JournalAttempt? {
    guard kind == "attempt", let order, let backend, let codes, let items else { return nil }
    let sentAt = Date(timeIntervalSince1970: at)
    let request = RedemptionRequest(
      codes: codes.map { CodeRequest($0.code, giftCredits: $0.gift) }, customer: customer,
      orderSourceId: order,
      items: items.map { CartItem(sku: $0.sku, quantity: $0.quantity, price: $0.price) },
      channel: Channel(terminal: terminal, cashier: cashier))
    return JournalAttempt(
      attempt: RedeemAttempt(key: key, request: request, sentAt: sentAt), backend: backend,
      customerName: customerName, subtotal: subtotal ?? 0, discount: discount ?? 0,
      giftCredits: giftCredits ?? 0, total: total ?? 0, currency: currency ?? "")
  }
}
