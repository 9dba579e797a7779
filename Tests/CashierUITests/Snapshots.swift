import Foundation
import Testing
import VoucherEngine

@testable import CashierUI

/// The screens the literal tests compare, each reached by keys from a fresh till.
enum Snapshot: String, CaseIterable {
  case emptyDatabase, findStart, findResults, findCodeNotFound, contact, contactAll, contactWide
  case cartEmpty, cartValidated, cartRejected, cartLineError, redeemConfirm, redeemCountdown
  case redeemChecking, redeemNotRedeemed, receipt, support, supportDone, help, tooSmall
  case daysSales, voucherDetail, voucherDetailGift, voucherDetailWide
  case supportPIN, supportPINWide, receiptWide, daysSalesWide, voidReason, voidReasonWide

  func take() async throws -> String {
    let till = try Till(
      role: [.support, .supportDone, .supportPIN, .supportPINWide].contains(self)
        ? .support : .cashier,
      empty: self == .emptyDatabase)
    switch self {
    case .emptyDatabase:
      break
    case .findStart:
      break
    case .findResults:
      await till.type("lind")
    case .findCodeNotFound:
      await till.press(.function(3))
      await till.type("NOPE-123")
      await till.press(.enter)
    case .contact:
      await till.openAlice()
    case .contactAll:
      await till.openAlice()
      await till.press(.tab, .tab, .tab)
    case .contactWide:
      await till.type("山田")
      await till.press(.enter)
    case .cartEmpty:
      await till.openAlice()
      await till.press(.enter)
    case .cartValidated:
      await till.aliceCartValidated()
    case .cartRejected:
      await till.openAlice()
      await till.press(.tab, .tab)
      await till.press(.enter)
      await till.type("prod_1 1 259.00")
      await till.press(.enter, .function(5))
    case .cartLineError:
      await till.openAlice()
      await till.press(.enter)
      await till.type("prod_1 one 259.00")
      await till.press(.enter)
    case .redeemConfirm:
      await till.aliceCartValidated()
      await till.press(.function(9))
    case .redeemCountdown:
      await till.aliceCartValidated()
      await till.press(.function(9))
      await till.press(.enter, running: false)
      await till.advance(by: 3)
    case .redeemChecking:
      await till.aliceCartValidated()
      await till.press(.function(9))
      await till.press(.enter, running: false)
      await till.advance(by: 60)
    case .redeemNotRedeemed:
      await till.aliceCartValidated()
      await till.press(.function(9))
      await till.press(.enter, running: false)
      await till.advance(by: 60)
      // The fence (LocalClient's resolve) closed the attempt: nothing was made.
      await till.send(.resolved(attempt: "T01-test0001-0001.1", .success(.notMade)))
    case .receipt, .receiptWide:
      await till.aliceCartValidated()
      await till.press(.function(9), .enter)
      if self == .receiptWide { return till.screen(width: 100, height: 30) }
    case .support:
      await till.openAlice()
      await till.press(.tab, .function(6))
      await till.giveSupportPIN()
    case .supportPIN, .supportPINWide:
      await till.openAlice()
      await till.press(.tab, .function(6))
      await till.type(Till.support.name)
      await till.press(.tab)
      await till.type("1111")
      await till.press(.enter)
      await till.type("24")
      if self == .supportPINWide { return till.screen(width: 100, height: 30) }
    case .supportDone:
      await till.openAlice()
      await till.press(.tab, .function(6))
      await till.giveSupportPIN()
      await till.type("Till crashed mid-sale")
      await till.press(.enter)
    case .help:
      await till.press(.function(1))
    case .voucherDetail:
      await till.type("erik")
      await till.press(.enter, .tab, .down, .function(8))
    case .voucherDetailWide:
      await till.type("erik")
      await till.press(.enter, .tab, .down, .function(8))
      return till.screen(width: 100, height: 30)
    case .voucherDetailGift:
      await till.openAlice()
      await till.press(.down, .down, .function(8))
    case .daysSales, .daysSalesWide, .voidReason, .voidReasonWide:
      for (code, line) in [("WELCOME10", "prod_1 1 100"), ("GIFT-OPEN-300=50", "prod_2 2 45.50")] {
        await till.press(.function(3))
        await till.type(code)
        await till.press(.enter)
        await till.type(line)
        await till.press(.enter, .function(5), .function(9), .enter, .enter)
        await till.advance(by: 90)
      }
      await till.press(.function(7), .enter)
      await till.type("Returned")
      if self == .voidReason { break }
      if self == .voidReasonWide { return till.screen(width: 100, height: 30) }
      await till.press(.enter)
      if self == .daysSalesWide { return till.screen(width: 100, height: 30) }
    case .tooSmall:
      return till.screen(width: 60, height: 20)
    }
    return till.screen()
  }
}
