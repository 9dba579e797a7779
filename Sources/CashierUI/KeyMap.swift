/// What a key asks for, independent of the key: the reducer decides what each means on
/// the screen at hand.
public enum Command: String, CaseIterable, Sendable {
  case help, back, confirm, nextTab, previousTab, moveUp, moveDown
  case findContact, enterCode, editLine, removeLine, validate, reactivate, redeem, newSale, quit
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

  public init(
    _ command: Command, keys: [Key], label: String, footer: String? = nil,
    screens: Set<Route> = [], role: Role? = nil
  ) {
    self.command = command
    self.keys = keys
    self.label = label
    self.footer = footer
    self.screens = screens
    self.role = role
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
      screens: [.findContact, .contact, .cart, .redeem, .support, .emptyDatabase, .recovery]),
    Binding(
      .confirm, keys: [.enter], label: "Open, add or confirm what is selected",
      footer: "Open", screens: [.findContact, .contact]),
    Binding(.back, keys: [.escape], label: "Go back one step", footer: "Back", screens: [.contact]),
    Binding(
      .nextTab, keys: [.tab], label: "Next tab or field", footer: "Next",
      screens: [.findContact, .contact]),
    Binding(.previousTab, keys: [.backTab], label: "Previous tab or field"),
    Binding(.moveUp, keys: [.up], label: "Move the selection up"),
    Binding(.moveDown, keys: [.down], label: "Move the selection down"),
    Binding(
      .findContact, keys: [.function(2), .control("f")], label: "Find a contact",
      footer: "Find", screens: [.emptyDatabase]),
    Binding(
      .enterCode, keys: [.function(3), .control("e")], label: "Enter or scan a voucher code",
      footer: "Code", screens: [.findContact, .cart]),
    Binding(
      .editLine, keys: [.function(4), .control("l")],
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
      .redeem, keys: [.function(9), .control("r")], label: "Redeem the validated cart",
      footer: "Redeem", screens: [.cart]),
    Binding(
      .newSale, keys: [.control("n")], label: "Start a new sale (drops this one)"),
    Binding(
      .quit, keys: [.function(10), .control("q")], label: "Quit", footer: "Quit",
      screens: [.findContact, .contact, .cart, .redeem, .support, .emptyDatabase, .recovery]),
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

  /// The footer of `route` for `role`: `F1 Help  F2 Find …`.
  public static func footer(for route: Route, role: Role) -> String {
    bindings.filter { binding in
      binding.footer != nil && binding.screens.contains(route)
        && (binding.role == nil || binding.role == role)
    }.map { "\($0.keys[0].name) \($0.footer!)" }.joined(separator: "  ")
  }
}
