import Foundation
import Testing
import VoucherEngine

@testable import CashierUI

@Suite("canvas")
struct CanvasTests {
  @Test("widths: wide 2, combining 0, others 1")
  func widths() {
    #expect(DisplayWidth.of("山田太郎") == 8)
    #expect(DisplayWidth.of("Åsa") == 3)
    #expect(DisplayWidth.of("e\u{301}") == 1)
    #expect(DisplayWidth.of("ｶ") == 1)
    #expect(DisplayWidth.of("Ａ") == 2)
  }

  @Test("a wide glyph that does not fit is never split")
  func wideAtEdge() {
    var canvas = Canvas(width: 5, height: 1)
    let end = canvas.put("ab山田", x: 0, y: 0)
    #expect(end == 4)
    #expect(canvas.lines == ["ab山 "])
    canvas.put("x", x: 3, y: 0)
    #expect(canvas.lines == ["ab x "])
    var clipped = Canvas(width: 10, height: 1)
    clipped.put("山田太郎", x: 1, y: 0, maxWidth: 5)
    #expect(clipped.lines == [" 山田     "])
  }

  @Test("combining marks join the glyph before them")
  func combining() {
    var canvas = Canvas(width: 6, height: 1)
    canvas.put("e\u{301}a", x: 0, y: 0)
    canvas.put("\u{308}", x: 2, y: 0)
    #expect(canvas.lines == ["e\u{301}a\u{308}    "])
    #expect(canvas[0, 0].text == "e\u{301}")
    #expect(canvas[1, 0].text == "a\u{308}")
  }

  @Test("a wide name keeps the next column where it belongs")
  func alignment() async throws {
    let till = try Till()
    await till.type("山田")
    let row = try #require(till.screen().split(separator: "\n").first { $0.contains("taro") })
    let prefix = row.prefix { $0 != "t" }
    #expect(DisplayWidth.of(String(prefix)) == 26)
  }
}

@Suite("key table")
struct KeyTableTests {
  @Test("every command has a binding with a label, and no key is bound twice")
  func complete() {
    for command in Command.allCases {
      let binding = KeyMap.binding(for: command)
      #expect(binding != nil, "\(command)")
      #expect(binding?.label.isEmpty == false, "\(command)")
      #expect(binding?.keys.isEmpty == false, "\(command)")
    }
    let keys = KeyMap.bindings.flatMap(\.keys)
    #expect(Set(keys).count == keys.count)
  }

  @Test("every F-key has a Ctrl or letter alternative in the same binding")
  func alternatives() {
    for binding in KeyMap.bindings
    where binding.keys.contains(where: { if case .function = $0 { true } else { false } }) {
      #expect(binding.keys.count >= 2, "\(binding.command)")
    }
  }

  @Test("every footer fits 80 columns and help lists every binding")
  func footersAndHelp() throws {
    for route in [Route.emptyDatabase, .findContact, .contact, .cart, .redeem, .support, .recovery]
    {
      for role in Role.allCases {
        let lines = KeyMap.footer(for: route, role: role, enter: "Add to sale")
        #expect(lines.count <= 2)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 78 })
      }
    }
    let till = try Till(role: .support)
    till.state.showsHelp = true
    let screen = till.screen()
    for row in KeyMap.helpRows(for: .support) {
      #expect(screen.contains(row.label), "\(row.label)")
      #expect(screen.contains(row.keys), "\(row.keys)")
    }
    for binding in KeyMap.bindings {
      #expect(screen.contains(binding.keys[0].name), "\(binding.command) has no row of help")
    }
    #expect(screen.contains("Ctrl-U"))
  }

  @Test("? opens help on an empty field and types itself into one with text")
  func questionMark() async throws {
    let till = try Till()
    await till.press(.character("?"))
    #expect(till.state.showsHelp)
    await till.press(.escape)
    #expect(!till.state.showsHelp)
    await till.type("al?")
    #expect(till.state.findContact.query == "al?")
    #expect(!till.state.showsHelp)
  }

  @Test("Ctrl chords do what their F-keys do")
  func chords() async throws {
    let till = try Till()
    await till.press(.control("e"))
    #expect(till.state.findContact.focus == .code)
    await till.press(.control("q"))
    #expect(till.state.isQuitting)
    #expect(till.effects.last == .quit)
  }
}

@Suite("flow")
struct FlowTests {
  @Test("lines can be edited and removed; any change asks for validation again")
  func editAndRemove() async throws {
    let till = try Till()
    await till.aliceCartValidated()
    await till.type("prod_2 2 10,50")
    await till.press(.enter)
    #expect(till.state.sale.items.count == 2)
    #expect(till.state.sale.subtotal == 25900 + 2100)
    #expect(till.state.sale.validation == .notAsked)
    await till.press(.up, .function(4))
    #expect(till.state.cart.line == "prod_2 2 10.50")
    #expect(till.state.sale.items.count == 1)
    await till.press(.control("u"))
    await till.type("prod_2 3 10.50")
    // Rows: the code first, then the lines; Del removes the highlighted one.
    await till.press(.enter, .up, .up, .up, .down, .delete)
    #expect(till.state.sale.items.map(\.sku) == ["prod_2"])
    #expect(till.state.sale.codes.map(\.code) == ["ALICE-10OFF-2026"])
    await till.press(.up, .delete)
    #expect(till.state.sale.codes.isEmpty)
    #expect(till.state.sale.items.map(\.sku) == ["prod_2"])
  }

  @Test("Esc walks back; a finished sale starts the next with a new order id")
  func backAndNewSale() async throws {
    let till = try Till()
    await till.aliceCartValidated()
    await till.press(.escape)
    #expect(till.state.route == .contact)
    await till.press(.escape)
    #expect(till.state.route == .findContact)
    await till.press(.enter, .enter, .function(5), .function(9), .enter)
    #expect(till.screen().contains("Redeemed"))
    await till.press(.enter)
    #expect(till.state.route == .findContact)
    #expect(till.state.sale.orderId == "T01-test0001-0002")
    #expect(till.state.findContact.query.isEmpty)
  }

  @Test("a code scanned into the search field, Enter before the search answers, opens the cart")
  func scannerIntoSearch() async throws {
    let till = try Till()
    for character in "WELCOME10" { await till.send(.key(.character(character)), running: false) }
    await till.press(.enter, running: false)
    #expect(till.state.findContact.opensWhenAnswered)
    await till.send(.contactsFound(query: "WELCOME10", .success([])))
    #expect(till.state.route == .cart)
    #expect(till.state.sale.codes.map(\.code) == ["WELCOME10"])
  }

  @Test("only support may reactivate")
  func reactivationNeedsSupport() async throws {
    let till = try Till()
    await till.openAlice()
    await till.press(.tab, .function(6))
    #expect(till.state.route == .contact)
    #expect(till.screen().contains("Reactivation is for the support role"))
  }

  @Test("quitting while a redeem is unanswered asks first, and says the sale is kept")
  func noQuitWhilePending() async throws {
    let till = try Till()
    await till.aliceCartValidated()
    await till.press(.function(9))
    await till.press(.enter, running: false)
    await till.press(.function(10), running: false)
    #expect(!till.state.isQuitting)
    #expect(till.state.question == .quitUnresolved)
    #expect(till.screen().contains("quits and keeps the sale in the journal"))
  }
}
