import Foundation
import VoucherAPI
import VoucherEngine

@testable import VoucherServer

// The JSON reader every body, catalog and JSON column goes through: whatever the bytes, it
// returns a value or throws, and a value it returns reads back the same from its own text.
// A redemption request the hot path reads straight from the tree must be the one the
// decoder reads from it (the hot path only declines, never differs).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
  var mayHoldControl = false
  guard let value = try? JSONValue.parse(data, mayHoldControl: &mayHoldControl) else {
    return 0
  }
  // The server skips its control-character walk when the parser saw none: it must never
  // miss one.
  if !mayHoldControl, RequestText.holdsControl(value) {
    fatalError("the parser saw no control character in \(value)")
  }
  let again: JSONValue
  do {
    again = try JSONValue.parse(value.jsonText)
  } catch {
    fatalError("the reader's own text of a value it read does not read back: \(error)")
  }
  guard again == value else {
    fatalError("a value read back differs from itself: \(value) became \(again)")
  }
  if case .object(let members) = value, let fast = WireRedemptionRequest(parsed: members) {
    let reference = try? JSONValueDecoder().decode(WireRedemptionRequest.self, from: value)
    guard fast == reference else {
      fatalError("the hot path read \(fast), the decoder \(String(describing: reference))")
    }
  }
  return 0
}
