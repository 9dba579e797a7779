import Foundation
import VoucherClient
import VoucherEngine

extension AppState {
  mutating func reduce(_ action: Action) -> [Effect] {
    switch action {
    case .key(let key):
      return press(key)
    case .command(let command):
      return perform(command)
    case .tick(let date):
      now = date
      if let redeem, case .redeeming(let deadline) = redeem.phase, date >= deadline {
        return reduce(.deadlinePassed)
      }
      if session.isRemote,
        lastBackendCheck.map({ date.timeIntervalSince($0) >= Self.backendCheckInterval }) ?? true
      {
        lastBackendCheck = date
        return [.checkBackend]
      }
      return []

    case .backendChecked(let answers):
      session.backendAnswers = answers
      return []

    case .queryEdited(let text):
      findContact.query = text
      findContact.selection = 0
      findContact.opensWhenAnswered = false
      if text.trimmingCharacters(in: .whitespaces).isEmpty {
        findContact.results = []
        findContact.answeredQuery = text
        return []
      }
      return [.findContacts(text)]
    case .codeEdited(let text):
      if route == .cart { cart.code = text } else { findContact.code = text }
      return []
    case .lineEdited(let text):
      cart.line = text
      cart.lineError = nil
      return []
    case .reasonEdited(let text):
      support?.reason = text
      return []

    case .contactsFound(let query, let result):
      return contactsFound(query: query, result)
    case .vouchersLoaded(let customerId, let filter, let result):
      guard var screen = contact, screen.customer.id == customerId, screen.tab == filter else {
        return []
      }
      switch result {
      case .success(let page):
        screen.page = page
        screen.counts = page.counts
        screen.error = nil
        screen.selection = min(screen.selection, max(0, page.items.count - 1))
      case .failure(let error):
        screen.error = sentence(error)
      }
      contact = screen
      return []
    case .codeLookedUp(let code, let result):
      guard findContact.lookingUpCode == code else { return [] }
      findContact.lookingUpCode = nil
      switch result {
      case .success(let voucher?):
        findContact.code = ""
        addToCart(code: voucher.code)
        route = .cart
        cart.focus = .line
      case .success(nil):
        notice = Notice(CashierWords.sentence(for: .notFound(code: code)), isError: true)
      case .failure(let error):
        notice = Notice(sentence(error), isError: true)
      }
      return []
    case .validated(let result):
      guard cart.validation == .checking else { return [] }
      switch result {
      case .success(let answer): cart.validation = .answered(answer)
      case .failure(let error): cart.validation = .failed(sentence(error))
      }
      return []
    case .redeemResponded(let result):
      return redeemResponded(result)
    case .deadlinePassed:
      guard var screen = redeem, case .redeeming = screen.phase else { return [] }
      screen.phase = .checking
      redeem = screen
      return [.checkOrder(screen.orderId)]
    case .orderChecked(let result):
      return orderChecked(result)
    case .reactivated(let result):
      guard var screen = support, screen.phase == .sending else { return [] }
      switch result {
      case .success(let rollback): screen.phase = .done(rollback)
      case .failure(let error): screen.phase = .failed(sentence(error))
      }
      support = screen
      return []
    }
  }

  func sentence(_ error: ClientError) -> String {
    error.cashierSentence(currency: session.currency, timeZone: session.timeZone)
  }

  private mutating func press(_ key: Key) -> [Effect] {
    if key == .resize { return [] }
    notice = nil
    if showsHelp {
      if [.escape, .enter, .function(1), .character("?")].contains(key) { showsHelp = false }
      return []
    }
    let typing = !(focusedText ?? "").isEmpty
    if let command = KeyMap.command(for: key, typing: typing) { return perform(command) }
    let action: Action? =
      switch route {
      case .findContact: findContact.handle(key)
      case .cart: cart.handle(key)
      case .support: support?.handle(key)
      case .contact: contact?.handle(key)
      case .redeem: redeem?.handle(key)
      case .emptyDatabase: nil
      }
    return action.map { reduce($0) } ?? []
  }

  // MARK: Commands

  private mutating func perform(_ command: Command) -> [Effect] {
    let pending = route == .redeem && redeem?.isPending == true
    switch command {
    case .help:
      showsHelp = true
      return []
    case .quit:
      if pending {
        notice = Notice("Wait: the redeem has not answered yet.", isError: true)
        return []
      }
      isQuitting = true
      return [.quit]
    case .findContact where !pending:
      route = .findContact
      findContact.focus = .contact
      return []
    case .enterCode where !pending:
      if route == .cart {
        cart.focus = .code
      } else {
        route = .findContact
        findContact.focus = .code
      }
      return []
    case .findContact, .enterCode:
      notice = Notice("Wait: the redeem has not answered yet.", isError: true)
      return []
    default:
      break
    }
    switch route {
    case .emptyDatabase: return []
    case .findContact: return findContactCommand(command)
    case .contact: return contactCommand(command)
    case .cart: return cartCommand(command)
    case .redeem: return redeemCommand(command)
    case .support: return supportCommand(command)
    }
  }

  private mutating func findContactCommand(_ command: Command) -> [Effect] {
    switch command {
    case .nextTab, .previousTab:
      findContact.focus = findContact.focus == .contact ? .code : .contact
    case .moveUp:
      findContact.selection = max(0, findContact.selection - 1)
    case .moveDown:
      findContact.selection = min(max(0, findContact.results.count - 1), findContact.selection + 1)
    case .back:
      if findContact.focus == .code {
        findContact.code = ""
      } else {
        return reduce(.queryEdited(""))
      }
    case .confirm:
      if findContact.focus == .code { return lookUp(findContact.code) }
      guard !findContact.query.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
      guard findContact.answeredQuery == findContact.query else {
        findContact.opensWhenAnswered = true
        return []
      }
      return openSelectedContact()
    default:
      break
    }
    return []
  }

  private mutating func lookUp(_ text: String) -> [Effect] {
    let code = text.trimmingCharacters(in: .whitespaces)
    guard !code.isEmpty else { return [] }
    findContact.lookingUpCode = code
    return [.lookUpCode(code)]
  }

  /// Enter on the search field: the selected contact, or, when nobody matches, the text as
  /// a voucher code (a scanner types into whichever field has the cursor).
  private mutating func openSelectedContact() -> [Effect] {
    guard findContact.results.indices.contains(findContact.selection) else {
      return lookUp(findContact.query)
    }
    let customer = findContact.results[findContact.selection]
    contact = ContactScreen(customer: customer)
    route = .contact
    return [.loadVouchers(customerId: customer.id, filter: .available)]
  }

  private mutating func contactsFound(query: String, _ result: Result<[Customer], ClientError>)
    -> [Effect]
  {
    guard query == findContact.query else { return [] }
    findContact.answeredQuery = query
    switch result {
    case .success(let customers):
      findContact.results = customers
      findContact.searchFailed = false
      findContact.selection = min(findContact.selection, max(0, customers.count - 1))
    case .failure(let error):
      findContact.results = []
      findContact.searchFailed = true
      notice = Notice(sentence(error), isError: true)
    }
    guard findContact.opensWhenAnswered else { return [] }
    findContact.opensWhenAnswered = false
    return route == .findContact ? openSelectedContact() : []
  }

  private mutating func contactCommand(_ command: Command) -> [Effect] {
    guard var screen = contact else { return [] }
    defer { contact = screen }
    switch command {
    case .back:
      route = .findContact
    case .nextTab, .previousTab:
      let tabs = VoucherFilter.allCases
      let index = tabs.firstIndex(of: screen.tab)!
      let step = command == .nextTab ? 1 : tabs.count - 1
      screen.tab = tabs[(index + step) % tabs.count]
      screen.page = nil
      screen.selection = 0
      return [.loadVouchers(customerId: screen.customer.id, filter: screen.tab)]
    case .moveUp:
      screen.selection = max(0, screen.selection - 1)
    case .moveDown:
      screen.selection = min(max(0, (screen.page?.items.count ?? 0) - 1), screen.selection + 1)
    case .confirm:
      guard let listed = screen.selected else { return [] }
      if cart.customer?.id != screen.customer.id {
        cart.customer = screen.customer
        cart.codes = []
      }
      cart.codes = [listed.voucher.code]
      cart.validation = .notAsked
      cart.focus = .line
      route = .cart
    case .reactivate:
      guard session.role == .support else {
        notice = Notice("Reactivation is for the support role (--role support).", isError: true)
        return []
      }
      guard let listed = screen.selected else { return [] }
      support = SupportScreen(
        voucher: listed.voucher, status: listed.status, holderName: screen.customer.name)
      route = .support
    default:
      break
    }
    return []
  }

  private mutating func addToCart(code: String) {
    let code = code.trimmingCharacters(in: .whitespaces).uppercased()
    guard !code.isEmpty else { return }
    guard !cart.codes.contains(code) else { return }
    guard cart.codes.count < RedemptionRequest.maximumCodes else {
      notice = Notice("At most \(RedemptionRequest.maximumCodes) codes per sale.", isError: true)
      return
    }
    cart.codes.append(code)
    cart.validation = .notAsked
  }

  private mutating func cartCommand(_ command: Command) -> [Effect] {
    switch command {
    case .back:
      route = contact == nil ? .findContact : .contact
    case .nextTab, .previousTab:
      cart.focus = cart.focus == .line ? .code : .line
    case .moveUp where !cart.items.isEmpty:
      cart.selection = max(0, (cart.selection ?? cart.items.count) - 1)
    case .moveDown where !cart.items.isEmpty:
      cart.selection = cart.selection.map { min(cart.items.count - 1, $0 + 1) } ?? 0
    case .confirm where cart.focus == .code:
      addToCart(code: cart.code)
      cart.code = ""
    case .confirm:
      addLine()
    case .editLine:
      guard let index = cart.selection, cart.items.indices.contains(index) else { return [] }
      cart.line = CartScreen.text(of: cart.items.remove(at: index))
      cart.selection = cart.items.isEmpty ? nil : min(index, cart.items.count - 1)
      cart.focus = .line
      cart.validation = .notAsked
    case .removeLine:
      if cart.focus == .code, cart.code.isEmpty, !cart.codes.isEmpty {
        cart.codes.removeLast()
      } else if let index = cart.selection, cart.items.indices.contains(index) {
        cart.items.remove(at: index)
        cart.selection = cart.items.isEmpty ? nil : min(index, cart.items.count - 1)
      } else {
        return []
      }
      cart.validation = .notAsked
    case .validate:
      guard checkCartIsComplete() else { return [] }
      cart.validation = .checking
      return [.validate(cart.request(session: session))]
    case .redeem:
      guard case .answered(let result) = cart.validation, result.valid else {
        notice = Notice("Validate first (F5): only a valid cart can be redeemed.", isError: true)
        return []
      }
      redeem = RedeemScreen(
        request: cart.request(session: session), validation: result,
        customerName: cart.customer?.name)
      route = .redeem
    default:
      break
    }
    return []
  }

  private mutating func checkCartIsComplete() -> Bool {
    if cart.codes.isEmpty {
      notice = Notice("Choose a voucher first: F3 adds a code.", isError: true)
    } else if cart.items.isEmpty {
      notice = Notice("Add a cart line first, e.g. prod_1 1 259.00.", isError: true)
    }
    return notice == nil
  }

  private mutating func addLine() {
    guard !cart.line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
    guard cart.items.count < RedemptionRequest.maximumItems else {
      cart.lineError = "At most \(RedemptionRequest.maximumItems) lines per sale."
      return
    }
    do {
      cart.items.append(try CartItem.parse(cart.line))
      cart.line = ""
      cart.lineError = nil
      cart.selection = nil
      cart.validation = .notAsked
    } catch {
      if case .invalidPayload(let detail) = error {
        cart.lineError = "Not added: \(detail)."
      } else {
        cart.lineError = "Not added: \(CashierWords.sentence(for: error))"
      }
    }
  }

  private mutating func supportCommand(_ command: Command) -> [Effect] {
    guard var screen = support else { return [] }
    switch command {
    case .back:
      support = nil
      route = .contact
      guard let shown = contact else { return [] }
      return [.loadVouchers(customerId: shown.customer.id, filter: shown.tab)]
    case .confirm:
      switch screen.phase {
      case .editing, .failed:
        let reason = screen.reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else {
          notice = Notice("Type the reason first: it goes into the audit trail.", isError: true)
          return []
        }
        screen.phase = .sending
        support = screen
        return [.reactivate(code: screen.voucher.code, reason: reason, by: session.cashier)]
      case .sending, .done:
        return []
      }
    default:
      return []
    }
  }
}
