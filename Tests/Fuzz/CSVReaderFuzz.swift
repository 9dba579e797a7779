import Foundation

@testable import VoucherEngine

// The CSV reader of the customer imports and bulk issuance: whatever the file, it returns
// records or throws, each record's line is past the last one's and within the file, and it
// ends. The bytes go through a pipe, as a file would be read, in the reader's own chunks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVReader(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  // The pipe holds 64 KiB: larger inputs would block the write (the script caps -max_len).
  guard count < 60_000 else { return 0 }
  let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
  let pipe = Pipe()
  pipe.fileHandleForWriting.write(data)
  try? pipe.fileHandleForWriting.close()
  var reader = CSVReader(handle: pipe.fileHandleForReading)
  let lines = data.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
  var last = 0
  var records = 0
  while let record = try? reader.next() {
    guard record.line > last, record.line <= lines else {
      fatalError("record on line \(record.line) after line \(last), in \(lines) lines")
    }
    last = record.line
    records += 1
    guard records <= count + 1 else { fatalError("more records than bytes: it does not end") }
  }
  try? pipe.fileHandleForReading.close()
  return 0
}
