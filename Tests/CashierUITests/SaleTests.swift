import Foundation
import Testing
import VoucherClient
import VoucherEngine

@testable import CashierUI

/// The sale's rules, each from a defect a cashier met: the customer on screen is the sale's,
/// codes stack and leave only by a key that removes them, a finished sale is never reused.
@Suite("one sale")
struct SaleTests {
  @Test("F3 on a contact's screen adds the code to that contact's sale")
  func codeFromContact() async throws {
    let till = try Till()
    await till.openAlice()
    await till.press(.function(3))
    #expect(till.state.route == .cart)
    #expect(till.state.cart.focus == .code)
    await till.type("WELCOME10")
    await till.press(.enter)
    #expect(till.state.sale.customer?.name == "Alice Example")
    #expect(till.state.sale.codes.map(\.code) == ["WELCOME10"])
    #expect(till.screen().contains("Customer  Alice Example · customer-123"))
  }

  @Test("opening another contact asks; Enter switches and removes the previous customer's codes")
  func switchCustomerAsks() async throws {
    let till = try Till()
    await till.openAlice()
    await till.press(.enter)  // ALICE-10OFF-2026 on Alice's sale
    await till.press(.function(3))
    await till.type("WELCOME10")
    await till.press(.enter)
    await till.press(.function(2), .control("u"))
    await till.type("karin")
    await till.press(.enter)
    #expect(till.state.question == .switchCustomer(to: till.state.findContact.results[0]))
    let asked = till.screen()
    #expect(asked.contains("This sale is for Alice Example."))
    #expect(asked.contains("Removes ALICE-10OFF-2026, personal to Alice Example."))
    // Esc keeps Alice's sale untouched.
    await till.press(.escape)
    #expect(till.state.sale.customer?.name == "Alice Example")
    #expect(till.state.sale.codes.map(\.code) == ["ALICE-10OFF-2026", "WELCOME10"])
    #expect(till.state.route == .findContact)
    // Enter makes it Karin's: her contact shows, Alice's personal code is gone, WELCOME10 stays.
    await till.press(.enter, .enter)
    #expect(till.state.sale.customer?.name == "Karin Lindqvist")
    #expect(till.state.sale.codes.map(\.code) == ["WELCOME10"])
    #expect(till.state.contact?.customer.name == "Karin Lindqvist")
    #expect(till.state.route == .contact)
    // F3 now adds to Karin's sale, never to Alice's.
    await till.press(.function(3))
    await till.type("KARIN-PER2-25")
    await till.press(.enter)
    #expect(till.state.sale.customer?.name == "Karin Lindqvist")
    #expect(till.state.sale.codes.map(\.code) == ["WELCOME10", "KARIN-PER2-25"])
  }

  @Test("a contact with no vouchers is attached to the sale all the same")
  func contactWithoutVouchers() async throws {
    let till = try Till()
    await till.type("ingrid")
    await till.press(.enter)
    #expect(till.state.sale.customer?.name == "Ingrid Holm")
    await till.press(.function(3))
    await till.type("WELCOME10")
    await till.press(.enter)
    #expect(till.screen().contains("Customer  Ingrid Holm"))
  }

  @Test("Enter on a listed voucher stacks it; picking a contact keeps codes already scanned")
  func stacksNeverReplaces() async throws {
    let till = try Till()
    await till.press(.function(3))
    await till.type("WELCOME10")
    await till.press(.enter)
    #expect(till.state.sale.customer == nil)
    await till.press(.function(2))
    await till.type("alice")
    await till.press(.enter)
    #expect(till.state.question == nil)
    #expect(till.state.sale.customer?.name == "Alice Example")
    await till.press(.enter)
    await till.press(.escape, .down, .enter)
    #expect(
      till.state.sale.codes.map(\.code) == ["WELCOME10", "ALICE-10OFF-2026", "ALICE-5X-2026"])
  }

  @Test(
    "a per-customer voucher with no customer says it needs the customer, not that it is personal")
  func perCustomerNeedsCustomer() async throws {
    let till = try Till()
    await till.press(.function(3))
    await till.type("STAFF-20")
    await till.press(.enter)
    #expect(till.screen().contains("STAFF-20 is limited to 1 per customer: F2 finds the customer."))
    await till.type("prod_1 1 100")
    await till.press(.enter, .function(5))
    let screen = till.screen()
    #expect(
      screen.contains("Find the customer first: this voucher is limited to 1 use per customer."))
    #expect(!screen.contains("personal"))
  }

  @Test("after a receipt, F2 starts a new sale with a new order id and nothing of the old one")
  func receiptStartsNewSale() async throws {
    let till = try Till()
    await till.aliceCartValidated()
    await till.press(.function(9), .enter)
    #expect(till.screen().contains("Enter starts a new sale."))
    await till.press(.function(2))
    #expect(till.state.sale.orderId == "T01-test0001-0002")
    #expect(till.state.sale.codes.isEmpty)
    #expect(till.state.sale.items.isEmpty)
    #expect(till.state.sale.customer == nil)
  }

  @Test("a gift card's amount is chosen as CODE=AMOUNT, never above its balance")
  func giftAmount() async throws {
    let till = try Till()
    await till.openAlice()
    await till.press(.function(3))
    await till.type("GIFT-ALICE-500=600")
    await till.press(.enter)
    #expect(till.state.sale.codes.isEmpty)
    #expect(till.state.cart.code == "")
    #expect(till.screen().contains("The gift card holds only 500.00 SEK."))
    await till.press(.function(3))
    await till.type("GIFT-ALICE-500=100")
    await till.press(.enter)
    #expect(
      till.state.sale.codes == [
        Sale.Code("GIFT-ALICE-500", giftAmount: 10000, holderId: till.state.sale.customer?.id)
      ])
    await till.type("prod_1 1 259.00")
    await till.press(.enter, .function(5))
    var screen = till.screen()
    #expect(screen.squeezed.contains("GIFT-ALICE-500 take 100.00 −100.00"))
    #expect(screen.squeezed.contains("New total 159.00 SEK"))
    // F4 on the code's row edits the amount.
    await till.press(.up, .up, .function(4))
    #expect(till.state.cart.code == "GIFT-ALICE-500=100.00")
    await till.press(.control("u"))
    await till.type("GIFT-ALICE-500=50")
    await till.press(.enter, .function(5))
    screen = till.screen()
    #expect(till.state.sale.codes.map(\.giftAmount) == [5000])
    #expect(screen.squeezed.contains("New total 209.00 SEK"))
  }

  @Test("a refused scan clears the code field, so the next scan is not appended to it")
  func refusedScanClears() async throws {
    let till = try Till()
    await till.openAlice()
    await till.press(.function(3))
    await till.type("NOPE-1")
    await till.press(.enter)
    #expect(till.state.cart.code == "")
    await till.press(.function(3))
    await till.type("WELCOME10")
    await till.press(.enter)
    #expect(till.state.sale.codes.map(\.code) == ["WELCOME10"])
  }

  @Test("seven stacked codes are each listed with their own amount, the list scrolls")
  func manyCodes() async throws {
    let till = try Till()
    await till.openAlice()
    for code in [
      "WELCOME10", "ALICE-10OFF-2026", "ALICE-5X-2026", "SUMMER-50", "BUNDLE-PROD12",
      "GIFT-OPEN-300",
      "GIFT-ALICE-500",
    ] {
      await till.press(.function(3))
      await till.type(code)
      await till.press(.enter)
    }
    for line in ["prod_1 1 2590.00", "prod_2 2 10.00", "prod_3 1 5.00"] {
      await till.type(line)
      await till.press(.enter)
    }
    await till.press(.function(5))
    expectScreen(till.screen(), SaleTests.sevenCodes)
    await till.press(.down, .down, .down, .down, .down, .down, .down, .down, .down, .down)
    expectScreen(till.screen(), SaleTests.sevenCodesScrolled)
  }

  static let sevenCodes = """
     Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
     Cart                                                   Order T01-test0001-0001
      Customer  Alice Example · customer-123
      Add code  [                        ] CODE, or CODE=AMOUNT for a gift card
      Add line  [                              ] SKU QTY PRICE, Enter adds

      Voucher / SKU           Qty              Price             Amount
      WELCOME10                             discount            −261.50
      ALICE-10OFF-2026                      discount            −235.35
      ALICE-5X-2026                         discount              −5.00
      SUMMER-50                             discount             −50.00
      BUNDLE-PROD12                         discount            −257.40
      GIFT-OPEN-300                        gift card            −200.00
      GIFT-ALICE-500                       gift card            −500.00
      prod_1                    1            2590.00            2590.00
                                                      rows 1–8 of 10 ↑↓
      Subtotal                                                  2615.00 SEK
      Discount                                                   809.25 SEK
      Gift cards                                                 700.00 SEK
      New total                                                 1105.75 SEK
      Valid. F9 redeems.

     F1 Help  Enter Add line  Esc Back  Tab Next  F2 Find  F3 Code  F4 Edit
     Del Remove  F5 Validate  F8 Detail  F9 Redeem  F10 Quit
    """
  static let sevenCodesScrolled = """
     Voucher POS │ /data/engine.sqlite                     Till T01 │ Kim (cashier)
     Cart                                                   Order T01-test0001-0001
      Customer  Alice Example · customer-123
      Add code  [                        ] CODE, or CODE=AMOUNT for a gift card
      Add line  [                              ] SKU QTY PRICE, Enter adds

      Voucher / SKU           Qty              Price             Amount
      ALICE-5X-2026                         discount              −5.00
      SUMMER-50                             discount             −50.00
      BUNDLE-PROD12                         discount            −257.40
      GIFT-OPEN-300                        gift card            −200.00
      GIFT-ALICE-500                       gift card            −500.00
      prod_1                    1            2590.00            2590.00
      prod_2                    2              10.00              20.00
      prod_3                    1               5.00               5.00
                                                     rows 3–10 of 10 ↑↓
      Subtotal                                                  2615.00 SEK
      Discount                                                   809.25 SEK
      Gift cards                                                 700.00 SEK
      New total                                                 1105.75 SEK
      Valid. F9 redeems.

     F1 Help  Enter Add line  Esc Back  Tab Next  F2 Find  F3 Code  F4 Edit
     Del Remove  F5 Validate  F8 Detail  F9 Redeem  F10 Quit
    """
}

/// Seeded random key sequences over the demo data: after every step the customer shown is
/// the sale's customer, no code leaves the sale without a key that removes it, and a finished
/// sale is never reused.
@Suite("sale properties")
struct SalePropertyTests {
  /// SplitMix64: the same seed gives the same sequence on every machine.
  struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  enum Step {
    case key(Key)
    case text(String)
    case wait(TimeInterval)
    /// F2, clear the field, type, Enter: a cashier opening a contact.
    case open(String)
    /// F3, type, Enter: a code scanned.
    case scan(String)
  }

  static let steps: [Step] =
    [
      .key(.enter), .key(.enter), .key(.escape), .key(.tab), .key(.up), .key(.down),
      .key(.down), .key(.function(2)), .key(.function(3)), .key(.function(4)), .key(.delete),
      .key(.function(5)), .key(.function(5)), .key(.function(9)), .key(.control("n")),
      .key(.control("u")), .key(.backspace), .key(.function(1)),
      .text("alice"), .text("karin"), .text("lind"), .text("ingrid"), .text("zz"),
      .text("WELCOME10"), .text("ALICE-10OFF-2026"), .text("KARIN-PER2-25"), .text("STAFF-20"),
      .text("GIFT-ALICE-500=50"), .text("JOSE-DISABLED-15"), .text("NOPE-9"),
      .text("prod_1 1 259.00"), .text("prod_2 2 10"), .wait(1), .wait(61),
      .open("alice"), .open("karin"), .open("ingrid"), .open("jose"), .scan("WELCOME10"),
      .scan("ALICE-10OFF-2026"), .scan("KARIN-PER2-25"), .scan("GIFT-OPEN-300=20"),
      .scan("STAFF-20"), .scan("NOPE-2"),
    ]

  @Test("2,000 seeded sequences of 30 steps keep the sale's promises", arguments: 0..<4)
  func promisesHold(batch: Int) async throws {
    let till = try Till()
    for sequence in 0..<500 {
      var generator = Seeded(state: UInt64(batch * 500 + sequence))
      var session = till.state.session
      session.saleTag = "s\(batch)x\(sequence)"
      till.state = AppState(session: session, now: till.state.now)
      till.effects = []
      var finished: Set<String> = []
      var trail: [String] = []
      for _ in 0..<30 {
        let before = till.state
        let step = Self.steps.randomElement(using: &generator)!
        // One step in ten loses its answers, as a network can.
        let running = Int.random(in: 0..<10, using: &generator) != 0
        var pressed: Key?
        switch step {
        case .key(let key):
          pressed = key
          trail.append(key.name)
          await till.press(key, running: running)
        case .text(let text):
          trail.append("“\(text)”")
          for character in text { await till.send(.key(.character(character)), running: running) }
        case .wait(let seconds):
          trail.append("+\(Int(seconds))s")
          await till.advance(by: seconds)
        case .open(let name):
          trail.append("open “\(name)”")
          await till.press(.function(2), .control("u"), running: running)
          for character in name { await till.send(.key(.character(character)), running: running) }
          pressed = .enter
          await till.press(.enter, running: running)
        case .scan(let code):
          trail.append("scan “\(code)”")
          await till.press(.function(3), running: running)
          for character in code { await till.send(.key(.character(character)), running: running) }
          pressed = .enter
          await till.press(.enter, running: running)
        }
        let context = "seed \(batch * 500 + sequence): \(trail.joined(separator: " "))"
        if till.state.isQuitting { break }
        try check(before: before, after: till.state, key: pressed, finished: &finished, context)
        for case .redeem(let entry, _) in till.effects {
          #expect(
            !finished.contains(entry.attempt.orderSourceId), "redeemed a finished sale: \(context)")
        }
      }
    }
  }

  func check(
    before: AppState, after: AppState, key: Key?, finished: inout Set<String>, _ context: String
  ) throws {
    // The customer shown is the sale's customer.
    if after.route == .contact {
      #expect(after.contact?.customer.id == after.sale.customer?.id, "\(context)")
    }
    if after.route == .redeem, after.redeem?.phase != .confirming {
      #expect(after.redeem?.customerName == after.sale.customer?.name, "\(context)")
    }
    // A finished sale is never changed or reused.
    if before.sale.isFinished { finished.insert(before.sale.orderId) }
    if after.sale.isFinished { finished.insert(after.sale.orderId) }
    if finished.contains(after.sale.orderId) {
      #expect(after.sale.isFinished, "a finished sale came back to life: \(context)")
      #expect(
        after.sale.codes == before.sale.codes || before.sale.orderId != after.sale.orderId,
        "\(context)")
    }
    // No code leaves the sale without a key that removes it.
    if after.sale.orderId != before.sale.orderId {
      #expect(
        before.sale.isFinished || key == .control("n"),
        "a sale with codes was dropped: \(context)")
      return
    }
    let gone = before.sale.codes.filter { code in
      !after.sale.codes.contains { $0.code == code.code }
    }
    guard !gone.isEmpty else { return }
    switch key {
    case .delete?:
      #expect(gone.count == 1, "\(context)")
      if case .code(let index)? = before.cart.row(in: before.sale) {
        #expect(
          before.sale.codes[index].code == gone[0].code, "Del removed another code: \(context)")
      } else {
        Issue.record("Del removed a code that was not highlighted: \(context)")
      }
    case .enter? where { if case .switchCustomer = before.question { true } else { false } }():
      let previous = before.sale.customer?.id
      #expect(gone.allSatisfy { $0.holderId != nil && $0.holderId == previous }, "\(context)")
    default:
      Issue.record(
        "codes \(gone.map(\.code)) left the sale on \(key?.name ?? "no key"): \(context)")
    }
  }
}
