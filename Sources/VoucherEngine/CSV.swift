import Foundation

/// A streaming RFC 4180 reader: quoted fields with `""` escapes, commas and newlines inside
/// quotes, CRLF or LF line ends, and a UTF-8 byte order mark. Reads the file in chunks, so
/// memory stays flat however long it is.
public struct CSVReader {
  /// One record and the line of the file it starts on (1-based; the header is line 1).
  public struct Record {
    public var line: Int
    public var fields: [String]
  }

  /// A malformed file (an unterminated quote).
  public struct FormatError: Error, CustomStringConvertible {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
  }

  private let handle: FileHandle
  private var buffer: [UInt8] = []
  private var position = 0
  private var atEnd = false
  private var line = 1
  private var startedFile = false

  /// - Throws: when the file cannot be opened.
  public init(path: String) throws {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
    }
    self.handle = handle
  }

  init(handle: FileHandle) {
    self.handle = handle
  }

  private mutating func nextByte() -> UInt8? {
    if position == buffer.count {
      if atEnd { return nil }
      let chunk = handle.readData(ofLength: 1 << 16)
      if chunk.isEmpty {
        atEnd = true
        return nil
      }
      buffer = [UInt8](chunk)
      position = 0
    }
    defer { position += 1 }
    return buffer[position]
  }

  private mutating func peekByte() -> UInt8? {
    guard let byte = nextByte() else { return nil }
    position -= 1
    return byte
  }

  /// The next record, or nil at the end of the file. Blank lines are skipped.
  public mutating func next() throws -> Record? {
    if !startedFile {
      startedFile = true
      // A UTF-8 byte order mark, as spreadsheet programs write it.
      if peekByte() == 0xEF {
        let saved = position
        if nextByte() == 0xEF, nextByte() == 0xBB, nextByte() == 0xBF {
        } else {
          position = saved
        }
      }
    }
    while true {
      let startLine = line
      var fields: [String] = []
      var field: [UInt8] = []
      var quoted = false
      var sawAnything = false
      while true {
        guard let byte = nextByte() else {
          if quoted {
            throw FormatError(line: startLine, message: "a quoted field is never closed")
          }
          if !sawAnything { return nil }
          fields.append(String(decoding: field, as: UTF8.self))
          return Record(line: startLine, fields: fields)
        }
        sawAnything = true
        if quoted {
          if byte == UInt8(ascii: "\"") {
            if peekByte() == UInt8(ascii: "\"") {
              _ = nextByte()
              field.append(byte)
            } else {
              quoted = false
            }
          } else {
            if byte == UInt8(ascii: "\n") { line += 1 }
            field.append(byte)
          }
          continue
        }
        switch byte {
        case UInt8(ascii: "\"") where field.isEmpty:
          quoted = true
        case UInt8(ascii: ","):
          fields.append(String(decoding: field, as: UTF8.self))
          field = []
        case UInt8(ascii: "\r") where peekByte() == UInt8(ascii: "\n"):
          continue
        case UInt8(ascii: "\n"):
          line += 1
          fields.append(String(decoding: field, as: UTF8.self))
          if fields.count == 1 && fields[0].isEmpty {
            // A blank line: read on.
            fields = []
            field = []
            sawAnything = false
            break
          }
          return Record(line: startLine, fields: fields)
        default:
          field.append(byte)
        }
        if !sawAnything { break }
      }
    }
  }
}

/// Writing CSV: fields quoted only when they must be.
public enum CSVWriter {
  public static func line(_ fields: [String]) -> String {
    fields.map(escape).joined(separator: ",") + "\r\n"
  }

  public static func escape(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return field
    }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}

/// A buffered file writer for exports and mappings: one `write` syscall per 64 KiB.
public final class BufferedFileWriter {
  private let handle: FileHandle
  private var buffer = Data()

  /// Creates (or truncates) the file at `path`.
  public init(path: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: nil),
      let handle = FileHandle(forWritingAtPath: path)
    else {
      throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
    }
    self.handle = handle
    buffer.reserveCapacity(1 << 16)
  }

  public func write(_ text: String) throws {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { try flush() }
  }

  public func flush() throws {
    guard !buffer.isEmpty else { return }
    try handle.write(contentsOf: buffer)
    buffer.removeAll(keepingCapacity: true)
  }

  /// Flushes, syncs to disk and closes.
  public func close() throws {
    try flush()
    try handle.synchronize()
    try handle.close()
  }
}
