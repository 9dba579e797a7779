import Foundation
import VoucherEngine

// The till's cart line (`prod_1 2 129.50`) and the one money parser: whatever the text, a
// line read has a quantity and a price within their limits whose product does not overflow,
// and its SKU holds no control character; an amount read is in range and reads back the same
// from its own formatting.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCartAndMoney(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
  if let item = try? CartItem.parse(text) {
    guard item.quantity > 0, item.quantity <= CartItem.maximumQuantity else {
      fatalError("quantity \(item.quantity) read from \(text.debugDescription)")
    }
    guard item.price >= 0, item.price <= Money.maximum else {
      fatalError("price \(item.price) read from \(text.debugDescription)")
    }
    guard !item.quantity.multipliedReportingOverflow(by: item.price).overflow else {
      fatalError("the line's amount overflows: \(text.debugDescription)")
    }
    guard SafeText.firstControl(in: item.sku) == nil else {
      fatalError("a control character in the SKU read from \(text.debugDescription)")
    }
  }
  if let minor = try? Money.parse(text) {
    guard minor >= 0, minor <= Money.maximum else {
      fatalError("amount \(minor) read from \(text.debugDescription)")
    }
    guard (try? Money.parse(Money.format(minor))) == minor else {
      fatalError("\(minor) does not read back from \(Money.format(minor).debugDescription)")
    }
  }
  return 0
}
