import Foundation
import Testing
import VoucherClient
import VoucherEngine

@testable import CashierUI

/// Keys that behave as in other terminal programs, text shown safely, amounts that fit.
@Suite("keys, text and amounts")
struct KeysAndTextTests {
  @Test("PgDn, PgUp, Home and End move in a list")
  func listKeys() async throws {
    let till = try Till()
    await till.openAlice()
    await till.press(.tab, .tab, .tab)
    let count = try #require(till.state.contact?.page?.items.count)
    #expect(count == 6)
    await till.press(.pageDown)
    #expect(till.state.contact?.selection == 5)
    await till.press(.home)
    #expect(till.state.contact?.selection == 0)
    await till.press(.end)
    #expect(till.state.contact?.selection == 5)
    await till.press(.pageUp)
    #expect(till.state.contact?.selection == 0)
    await till.press(.enter, .escape, .down, .end)
    #expect(till.state.cart.selection == nil)
  }

  @Test("Ctrl-L asks for the whole screen to be drawn again, even while a redeem is out")
  func redraw() async throws {
    let till = try Till()
    await till.press(.control("l"))
    #expect(till.effects.last == .redraw)
    await till.aliceCartValidated()
    await till.press(.function(9))
    await till.press(.enter, running: false)
    await till.press(.control("l"), running: false)
    #expect(till.effects.last == .redraw)
  }

  @Test("a 10 KB paste is taken whole and the field shows its end")
  func longPaste() async throws {
    let till = try Till()
    let text = String(repeating: "0123456789", count: 1024)
    for character in text { await till.send(.key(.character(character)), running: false) }
    #expect(till.state.findContact.query == text)
    let line = till.screen().split(separator: "\n")[2]
    #expect(line.contains("[123456789012345678901234567890123456789 ]"))
  }

  @Test("control characters and escape sequences in names and codes are shown, never obeyed")
  func controlCharactersVisible() async throws {
    let till = try Till()
    // The engine refuses such a name now; a database written before it did may hold one.
    try till.engine.store.write { store in
      try store.insert(
        Customer(
          id: "cust_evil-1", sourceId: "evil-1", name: "Eve\u{1b}[31mRed\u{7}", email: nil,
          phone: nil, memberNumber: nil, metadata: [:], createdAt: Till.start,
          updatedAt: Till.start))
    }
    await till.type("eve")
    let screen = till.screen()
    #expect(screen.contains("Eve\\x1b[31mRed\\x07"))
    #expect(!screen.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 })
  }

  @Test("the largest amounts the engine accepts never run the columns together")
  func largestAmounts() async throws {
    let till = try Till()
    await till.openAlice()
    await till.press(.enter)
    await till.type("big 100000 100000000.00")
    await till.press(.enter)
    let row = try #require(
      till.screen().split(separator: "\n").first { $0.hasPrefix("  big") })
    #expect(row.contains(" 100000       100000000.00  10000000000000.00"), "\(row)")
    await till.type("bigger 1 100000000.01")
    await till.press(.enter)
    #expect(till.screen().contains("price 100000000.01 of bigger is above 100000000.00"))
  }

  @Test("a sale above --max-sale asks before it is redeemed")
  func largeSaleAsks() async throws {
    let till = try Till()
    till.state.session.maxSale = 20_000
    await till.aliceCartValidated()
    await till.press(.function(9))
    #expect(till.state.question == .largeSale(subtotal: 25_900, currency: "SEK"))
    #expect(
      till.screen().contains("This sale is 259.00 SEK: above the till's limit of 200.00 SEK."))
    await till.press(.escape)
    #expect(till.state.route == .cart)
    await till.press(.function(9), .enter)
    #expect(till.state.route == .redeem)
  }

  @Test("the below-minimum message fits 40×10")
  func tinyTerminal() throws {
    let till = try Till()
    let screen = till.screen(width: 40, height: 10)
    #expect(screen.contains("Please enlarge the terminal"))
    #expect(screen.contains("to at least 80×24"))
    #expect(screen.contains("(now 40×10)"))
  }

  @Test("the status bar says the back end answers on the first success after a failure")
  func recoveryShownAtOnce() async throws {
    let till = try Till()
    till.state.session.isRemote = true
    till.state.session.backendAnswers = false
    await till.send(.contactsFound(query: "", .success([])), running: false)
    #expect(till.state.session.backendAnswers == true)
    await till.send(.contactsFound(query: "", .failure(.unreachable("down"))), running: false)
    #expect(till.state.session.backendAnswers == false)
  }
}
