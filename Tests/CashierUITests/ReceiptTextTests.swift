import Foundation
import Testing
import VoucherEngine

@testable import CashierUI

private let stockholm = TimeZone(identifier: "Europe/Stockholm")!
/// 3 Nov 2026 10:00 UTC: 11:00 in Stockholm.
private let saleDate = Date(timeIntervalSince1970: 1_793_700_000)

private func sale() -> PrintedReceipt {
  PrintedReceipt(
    store: "Voucher Shop Södermalm", till: "T01", cashier: "Maja", orderId: "ord_0123456789",
    date: saleDate, timeZone: stockholm,
    lines: [
      .init(sku: "prod_1", quantity: 2, unitPrice: 12_950, amount: 25_900),
      .init(sku: "espresso-beans-1kg", quantity: 1, unitPrice: 24_900, amount: 24_900),
    ],
    codes: [
      .init(code: "SUMMER-10", kind: .discount, amount: 5_080),
      .init(code: "GIFT-7Q2K", kind: .gift, amount: 10_000, giftBalanceLeft: 40_000),
    ],
    subtotal: 50_800, discount: 5_080, giftCredits: 10_000, amountToPay: 35_720,
    currency: "SEK", redemptionId: "r_0l2k3j4h5g6f")
}

private func voidedSale() -> PrintedReceipt {
  var receipt = sale()
  receipt.cashier = "山田太郎"
  receipt.voided = (
    reason: "customer changed their mind", at: saleDate.addingTimeInterval(300), by: "山田太郎"
  )
  return receipt
}

/// Every amount at the engine's largest (Money.maximum), the longest quantity, a long code.
private func largest() -> PrintedReceipt {
  let big = Money.maximum
  return PrintedReceipt(
    till: "T01", cashier: "Maja", orderId: "ord_1", date: saleDate, timeZone: stockholm,
    lines: [
      .init(
        sku: "gold-bar-unlimited-edition", quantity: CartItem.maximumQuantity,
        unitPrice: big / CartItem.maximumQuantity, amount: big),
      .init(sku: "p", quantity: 1, unitPrice: big, amount: big),
    ],
    codes: [
      .init(
        code: "GIFT-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789", kind: .gift, amount: big,
        giftBalanceLeft: big)
    ],
    subtotal: big, discount: big, giftCredits: big, amountToPay: big, currency: "SEK",
    redemptionId: "r_0l2k3j4h5g6f")
}

private let saleAt42 =
  """
            Voucher Shop Södermalm
  Till                                   T01
  Cashier                               Maja
  Order                       ord_0123456789
  Date                      2026-11-03 11:00
  ------------------------------------------
  prod_1                  2 x 129.50  259.00
  espresso-beans-1kg      1 x 249.00  249.00
  ------------------------------------------
  SUMMER-10 discount                  -50.80
  GIFT-7Q2K gift card                -100.00
    balance left                      400.00
  ------------------------------------------
  Subtotal                        SEK 508.00
  Discount                        SEK -50.80
  Gift cards                     SEK -100.00
  AMOUNT TO PAY                   SEK 357.20
  ------------------------------------------
  Redemption                  r_0l2k3j4h5g6f
  """

private let voidedAt48 =
  """
  ================================================
                    *** VOID ***
  Reason: customer changed their mind
  Voided                          2026-11-03 11:05
  By                                      山田太郎
  ================================================
               Voucher Shop Södermalm
  Till                                         T01
  Cashier                                 山田太郎
  Order                             ord_0123456789
  Date                            2026-11-03 11:00
  ------------------------------------------------
  prod_1                        2 x 129.50  259.00
  espresso-beans-1kg            1 x 249.00  249.00
  ------------------------------------------------
  SUMMER-10 discount                        -50.80
  GIFT-7Q2K gift card                      -100.00
    balance left                            400.00
  ------------------------------------------------
  Subtotal                              SEK 508.00
  Discount                              SEK -50.80
  Gift cards                           SEK -100.00
  AMOUNT TO PAY                         SEK 357.20
  ------------------------------------------------
  Redemption                        r_0l2k3j4h5g6f
  ================================================
                    *** VOID ***
  ================================================
  """

private let largestAt42 =
  """
  Till                                   T01
  Cashier                               Maja
  Order                                ord_1
  Date                      2026-11-03 11:00
  ------------------------------------------
  gold-bar-unlimited-edition
    100000 x 100000000.00  10000000000000.00
  p 1 x 10000000000000.00  10000000000000.00
  ------------------------------------------
  GIFT-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789
    gift card             -10000000000000.00
    balance left           10000000000000.00
  ------------------------------------------
  Subtotal             SEK 10000000000000.00
  Discount            SEK -10000000000000.00
  Gift cards          SEK -10000000000000.00
  AMOUNT TO PAY        SEK 10000000000000.00
  ------------------------------------------
  Redemption                  r_0l2k3j4h5g6f
  """

private let largestAt48 =
  """
  Till                                         T01
  Cashier                                     Maja
  Order                                      ord_1
  Date                            2026-11-03 11:00
  ------------------------------------------------
  gold-bar-unlimited-edition
          100000 x 100000000.00  10000000000000.00
  p       1 x 10000000000000.00  10000000000000.00
  ------------------------------------------------
  GIFT-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789
    gift card                   -10000000000000.00
    balance left                 10000000000000.00
  ------------------------------------------------
  Subtotal                   SEK 10000000000000.00
  Discount                  SEK -10000000000000.00
  Gift cards                SEK -10000000000000.00
  AMOUNT TO PAY              SEK 10000000000000.00
  ------------------------------------------------
  Redemption                        r_0l2k3j4h5g6f
  """

@Suite("receipt text")
struct ReceiptTextTests {
  @Test(
    "receipts at 42 and 48 columns, a VOID copy and the largest amounts",
    arguments: [
      ("sale at 42", 42, saleAt42), ("void at 48", 48, voidedAt48),
      ("largest at 42", 42, largestAt42), ("largest at 48", 48, largestAt48),
    ])
  func literals(name: String, width: Int, expected: String) {
    let receipt =
      switch name {
      case "sale at 42": sale()
      case "void at 48": voidedSale()
      default: largest()
      }
    let lines = ReceiptText.lines(receipt, width: width)
    #expect(lines.joined(separator: "\n") == expected)
    #expect(lines.allSatisfy { DisplayWidth.of($0) <= width })
  }

  @Test("a VOID copy has its banner at the top and the bottom, and the sale between")
  func voidBanner() {
    let lines = ReceiptText.lines(voidedSale(), width: 42)
    #expect(lines[1].contains("VOID") && lines[lines.count - 2].contains("VOID"))
    #expect(lines.filter { $0.contains("*** VOID ***") }.count == 2)
    #expect(!ReceiptText.lines(sale(), width: 42).contains { $0.contains("VOID") })
  }

  @Test("no line is ever wider than the paper, whatever the text and amounts (300 seeded)")
  func neverWider() {
    var random = SalePropertyTests.Seeded(state: 12)
    let pieces = ["山田太郎", "Åsa", "x", "espresso", "GIFT-7Q2K", " ", "-", "0123456789"]
    func text() -> String {
      (0..<Int.random(in: 1...12, using: &random)).map { _ in pieces.randomElement(using: &random)!
      }
      .joined()
    }
    for _ in 0..<300 {
      let width = Bool.random(using: &random) ? 42 : 48
      func amount() -> Int64 { Int64.random(in: -Money.maximum...Money.maximum, using: &random) }
      let receipt = PrintedReceipt(
        store: text(), till: text(), cashier: text(), orderId: text(), date: saleDate,
        timeZone: stockholm,
        lines: (0..<3).map { _ in
          .init(
            sku: text(), quantity: Int64.random(in: 1...CartItem.maximumQuantity, using: &random),
            unitPrice: amount(), amount: amount())
        },
        codes: [
          .init(code: text(), kind: .gift, amount: amount(), giftBalanceLeft: amount()),
          .init(code: text(), kind: .discount, amount: amount()),
        ],
        subtotal: amount(), discount: amount(), giftCredits: amount(), amountToPay: amount(),
        currency: "SEK", redemptionId: text(), voided: (reason: text(), at: saleDate, by: text()))
      for line in ReceiptText.lines(receipt, width: width) {
        #expect(DisplayWidth.of(line) <= width, "\(line)")
      }
    }
  }

  @Test("control characters in names and reasons are printed visibly, never raw")
  func controlCharacters() {
    var receipt = voidedSale()
    receipt.cashier = "Ma\u{1b}[2Jja"
    receipt.voided?.reason = "bell\u{07} and\u{9b}more"
    let text = ReceiptText.lines(receipt, width: 42).joined(separator: "\n")
    #expect(text.contains("Ma\\x1b[2Jja"))
    #expect(text.contains("bell\\x07 and\\x9bmore"))
    #expect(
      !text.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" })
  }
}
