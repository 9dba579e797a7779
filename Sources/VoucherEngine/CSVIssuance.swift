import Dispatch
import Foundation

/// What a whole CSV issuance did.
public struct IssueTotals: Equatable, Sendable {
  public var rows = 0
  public var issued = 0
  public var alreadyIssued = 0
  public var rejected = 0
}

/// Why a customer file cannot be issued from at all.
public enum IssueFileError: Error, Equatable, Sendable, CustomStringConvertible {
  case unreadable(String)
  case empty(String)
  case missingColumns(String)

  public var description: String {
    switch self {
    case .unreadable(let path): "cannot read \(path)"
    case .empty(let path): "\(path) is empty"
    case .missingColumns(let path): "\(path): the header needs a source_id or an email column"
    }
  }
}

extension VoucherEngine {
  /// Issues `template` to every customer of a CSV file (header with `source_id` and/or
  /// `email`; optional `name`, `phone`, `member_number`), `chunkSize` rows per transaction.
  ///
  /// The file is parsed on a second thread while the previous chunk is written, so reading
  /// costs no time of its own on a machine with two cores. Rows arrive in file order.
  ///
  /// - Parameters:
  ///   - onRejected: each refused row's line and reason, in order.
  ///   - onProgress: rows read so far, after each chunk.
  /// - Throws: `IssueFileError`, `CSVReader.FormatError` (after issuing every row before the
  ///   malformed one), or a batch-level `Refusal` from `issue(batch:template:rows:)`.
  @discardableResult
  public func issue(
    csvPath path: String, batch: String, template: VoucherDraft, chunkSize: Int = 50_000,
    onRejected: (Int, String) throws -> Void = { _, _ in }, onProgress: (Int) -> Void = { _ in }
  ) throws -> IssueTotals {
    guard FileManager.default.isReadableFile(atPath: path) else {
      throw IssueFileError.unreadable(path)
    }
    let source = RowSource(reader: try CSVReader(path: path))
    guard let header = try source.reader.next() else { throw IssueFileError.empty(path) }
    var columns: [String: Int] = [:]
    for (index, name) in header.fields.enumerated()
    where columns[name.trimmingSpaces().lowercased()] == nil {
      columns[name.trimmingSpaces().lowercased()] = index
    }
    guard columns["source_id"] != nil || columns["email"] != nil else {
      throw IssueFileError.missingColumns(path)
    }
    source.columns = columns

    let channel = ChunkChannel()
    defer { channel.close() }
    let size = max(1, chunkSize)
    DispatchQueue.global(qos: .userInitiated).async {
      while true {
        do {
          let rows = try source.nextChunk(size: size)
          guard channel.put(.success(rows)) else { return }
          if rows.isEmpty { return }
        } catch {
          _ = channel.put(.failure(error))
          return
        }
      }
    }

    var totals = IssueTotals()
    while true {
      let rows = try channel.take().get()
      if rows.isEmpty { return totals }
      let result = try issue(batch: batch, template: template, rows: rows)
      totals.rows += rows.count
      totals.issued += result.issued
      totals.alreadyIssued += result.alreadyIssued
      totals.rejected += result.rejected.count
      for (line, reason) in result.rejected { try onRejected(line, reason) }
      onProgress(totals.rows)
    }
  }
}

/// The reading side of a CSV issuance; used by one thread at a time (the producer).
private final class RowSource: @unchecked Sendable {
  var reader: CSVReader
  var columns: [String: Int] = [:]

  init(reader: CSVReader) { self.reader = reader }

  /// Up to `size` rows; empty at the end of the file.
  func nextChunk(size: Int) throws -> [IssueRow] {
    var rows: [IssueRow] = []
    rows.reserveCapacity(size)
    while rows.count < size, let record = try reader.next() {
      func field(_ name: String) -> String? {
        guard let index = columns[name], index < record.fields.count else { return nil }
        let value = record.fields[index].trimmingSpaces()
        return value.isEmpty ? nil : value
      }
      rows.append(
        IssueRow(
          line: record.line,
          customer: CustomerDraft(
            sourceId: field("source_id"), name: field("name"), email: field("email"),
            phone: field("phone"), memberNumber: field("member_number"))))
    }
    return rows
  }
}

/// A hand-off of parsed chunks with room for one: the parser stays one chunk ahead.
private final class ChunkChannel: @unchecked Sendable {
  private let condition = NSCondition()
  private var slot: Result<[IssueRow], any Error>?
  private var closed = false

  /// Waits for room; false when the consumer has gone (the producer then stops).
  func put(_ value: Result<[IssueRow], any Error>) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while slot != nil && !closed { condition.wait() }
    guard !closed else { return false }
    slot = value
    condition.broadcast()
    return true
  }

  func take() -> Result<[IssueRow], any Error> {
    condition.lock()
    defer { condition.unlock() }
    while slot == nil { condition.wait() }
    let value = slot!
    slot = nil
    condition.broadcast()
    return value
  }

  func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }
}
