import VoucherEngine

/// What a key asks for, independent of the key: the reducer decides what each means on
/// the screen at hand.
public enum Command: String, CaseIterable, Sendable {
  case help, back, confirm, nextTab, previousTab, moveUp, moveDown
  case pageUp, pageDown, first, last
  case findContact, enterCode, editLine, removeLine, validate, reactivate, redeem, newSale, redraw
  case daysSales, voucherDetail
  case quit
}

/// One row of the key table: the keys, what they do, and where the footer shows them.
public struct Binding: Sendable {
  public let command: Command
  public let keys: [Key]
  /// The sentence in the help overlay.
  public let label: String
  /// The word in the footer; nil keeps the binding out of the footer.
  public let footer: String?
  /// The screens whose footer lists it.
  public let screens: Set<Route>
  /// Only shown to this role (nil: everyone).
  public let role: Role?
  /// Bindings with the same group share one row of help, under the group's words
  /// (↑ / ↓: "Move the selection").
  public let helpGroup: String?

  public init(
    _ command: Command, keys: [Key], label: String, footer: String? = nil,
    screens: Set<Route> = [], role: Role? = nil, helpGroup: String? = nil
  ) {
    self.command = command
    self.keys = keys
    self.label = label
    self.footer = footer
    self.screens = screens
    self.role = role
    self.helpGroup = helpGroup
  }
}

/// The one key table: dispatch, the footer and the help overlay all read it, so they
/// cannot disagree. Every F-key has a Ctrl chord too, because some terminals (and some
/// remote-desktop clients) swallow F-keys.
public enum KeyMap {
  public static let bindings: [Binding] = [
    Binding(
      .help, keys: [.function(1), .character("?")],
      label: "Help; ? types itself when a field has text", footer: "Help",
      screens: [
        .findContact, .contact, .cart, .redeem, .support, .emptyDatabase, .recovery, .daysSales,
        .voucherDetail,
      ]),
    Binding(
      .confirm, keys: [.enter], label: "Open, add or confirm what is selected",
      footer: "Open", screens: [.findContact, .contact]),
    Binding(
      .back, keys: [.escape], label: "Go back one step; in the search, clear it",
      footer: "Back", screens: [.contact, .cart, .support, .daysSales, .voucherDetail]),
    Binding(
      .nextTab, keys: [.tab], label: "Next tab or field", footer: "Next",
      screens: [.findContact, .contact, .cart], helpGroup: "Next / previous tab or field"),
    Binding(
      .previousTab, keys: [.backTab], label: "Previous tab or field",
      helpGroup: "Next / previous tab or field"),
    Binding(
      .moveUp, keys: [.up], label: "Move the selection up", helpGroup: "Move the selection"),
    Binding(
      .moveDown, keys: [.down], label: "Move the selection down",
      helpGroup: "Move the selection"),
    Binding(
      .pageUp, keys: [.pageUp], label: "A page up in a list",
      helpGroup: "A page up / down in a list"),
    Binding(
      .pageDown, keys: [.pageDown], label: "A page down in a list (more results)",
      helpGroup: "A page up / down in a list"),
    Binding(
      .first, keys: [.home], label: "The first row of a list",
      helpGroup: "The first / last row of a list"),
    Binding(
      .last, keys: [.end], label: "The last row of a list",
      helpGroup: "The first / last row of a list"),
    Binding(
      .findContact, keys: [.function(2), .control("f")], label: "Find a contact",
      footer: "Find", screens: [.emptyDatabase, .cart, .contact]),
    Binding(
      .enterCode, keys: [.function(3), .control("e")], label: "Enter or scan a voucher code",
      footer: "Code", screens: [.findContact, .contact, .cart]),
    Binding(
      .editLine, keys: [.function(4), .control("o")],
      label: "Edit the selected line or gift amount", footer: "Edit", screens: [.cart]),
    Binding(
      .removeLine, keys: [.delete, .control("d")], label: "Remove the selected line or code",
      footer: "Remove", screens: [.cart]),
    Binding(
      .validate, keys: [.function(5), .control("v")], label: "Validate the vouchers on the cart",
      footer: "Validate", screens: [.cart]),
    Binding(
      .reactivate, keys: [.function(6), .control("a")],
      label: "Reactivate the selected voucher (support role)", footer: "Reactivate",
      screens: [.contact], role: .support),
    Binding(
      .daysSales, keys: [.function(7), .control("t")], label: "This till's sales of today; voids",
      footer: "Sales", screens: [.findContact]),
    Binding(
      .voucherDetail, keys: [.function(8), .control("g")],
      label: "The selected voucher's conditions and history", footer: "Detail",
      screens: [.contact, .cart]),
    Binding(
      .redeem, keys: [.function(9), .control("r")], label: "Redeem the validated cart",
      footer: "Redeem", screens: [.cart]),
    Binding(
      .newSale, keys: [.control("n")], label: "Start a new sale (drops this one)"),
    Binding(.redraw, keys: [.control("l")], label: "Redraw the whole screen"),
    Binding(
      .quit, keys: [.function(10), .control("q")], label: "Quit", footer: "Quit",
      screens: [
        .findContact, .contact, .cart, .redeem, .support, .emptyDatabase, .recovery, .daysSales,
        .voucherDetail,
      ]),
  ]

  /// The command `key` triggers. While a text field holds text, printable keys belong to
  /// the field, so `?` types a question mark there instead of opening help.
  public static func command(for key: Key, typing: Bool) -> Command? {
    if typing, case .character = key { return nil }
    return bindings.first { $0.keys.contains(key) }?.command
  }

  /// The binding of `command`.
  public static func binding(for command: Command) -> Binding? {
    bindings.first { $0.command == command }
  }

  /// Keys that edit the text in a field, for the help overlay (the field handles them
  /// itself; they are no commands).
  public static let editingKeys: [(keys: String, label: String)] = [
    ("Backspace / Ctrl-U", "Delete a character / clear the field")
  ]

  /// The rows of the help overlay for `role`: grouped bindings share a row.
  public static func helpRows(for role: Role) -> [(keys: String, label: String)] {
    var rows: [(keys: String, label: String)] = []
    var groups: [String: Int] = [:]
    for binding in bindings where binding.role == nil || binding.role == role {
      let keys = binding.keys.map(\.name).joined(separator: " / ")
      if let group = binding.helpGroup {
        if let index = groups[group] {
          rows[index].keys += " / " + keys
          continue
        }
        groups[group] = rows.count
        rows.append((keys, group))
      } else {
        rows.append((keys, binding.label))
      }
    }
    return rows + editingKeys
  }

  /// The footer of `route` for `role`, wrapped to `width` columns (at most two lines):
  /// `F1 Help  Enter Open  …`. `enter` says what Enter does here; nil leaves it out.
  /// - Parameter unavailable: what the back end cannot do; left out of the footer.
  public static func footer(
    for route: Route, role: Role, enter: String?, width: Int = 78,
    unavailable: Set<Command> = []
  ) -> [String] {
    let items = bindings.compactMap { binding -> String? in
      guard binding.screens.contains(route) || binding.command == .confirm,
        binding.role == nil || binding.role == role, !unavailable.contains(binding.command)
      else { return nil }
      if binding.command == .confirm { return enter.map { "Enter \($0)" } }
      return binding.footer.map { "\(binding.keys[0].name) \($0)" }
    }
    var lines: [String] = []
    var line = ""
    for item in items {
      if line.isEmpty {
        line = item
      } else if DisplayWidth.of(line) + 2 + DisplayWidth.of(item) <= width {
        line += "  " + item
      } else {
        lines.append(line)
        line = item
      }
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }
}
