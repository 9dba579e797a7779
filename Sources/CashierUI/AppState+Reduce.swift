import Foundation
import VoucherClient
import VoucherEngine

extension AppState {
  mutating func reduce(_ action: Action) -> [Effect] {
    let answeredBefore = session.backendAnswers == true
    noteBackend(action)
    var effects = apply(action)
    // A role (and what the server offers) not told at start, because the server did not
    // answer then, is asked on its first answer of any kind.
    if session.roleSource == .askingServer, session.backendAnswers == true, !answeredBefore,
      !effects.contains(.askRole)
    {
      effects.append(.askRole)
    }
    return effects
  }

  private mutating func apply(_ action: Action) -> [Effect] {
    switch action {
    case .key(let key):
      return press(key)
    case .command(let command):
      return perform(command)
    case .tick(let date):
      now = date
      var effects = redeemTick()
      effects += recoveryTick()
      // A check that never came back (which the client's own time-out rules out) is given
      // up after three normal intervals, so the status bar never stops being checked.
      let sinceCheck = lastBackendCheck.map { date.timeIntervalSince($0) } ?? .infinity
      if session.isRemote, sinceCheck >= checkInterval,
        !backendCheckPending || sinceCheck >= 3 * Self.backendCheckInterval
      {
        lastBackendCheck = date
        backendCheckPending = true
        backendNotedSinceCheck = false
        effects.append(.checkBackend)
      }
      return effects

    case .backendChecked(let answers):
      // Dropped only when a call has answered since this check was asked.
      let olderNews = backendCheckPending && backendNotedSinceCheck
      backendCheckPending = false
      if !olderNews { session.backendAnswers = answers }
      return []
    case .roleReported(let result, let capabilities):
      if case .success(let reported) = result { session.take(reported) }
      if let capabilities, capabilities != session.capabilities {
        session.capabilities = capabilities
        // The screens offer what the back end can do now: a lookup it lacks moves to codes.
        if !capabilities.findsContacts { findContact.focus = .code }
      }
      return []
    case .staffPINChecked(let result):
      return staffPINChecked(result)

    case .queryEdited(let text):
      findContact.query = text
      findContact.total = nil
      findContact.loadingMore = false
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
    case .customerReferenceEdited(let text):
      cart.customerReference = text
      sale.setCustomerReference(text)
      return []
    case .reasonEdited(let text):
      support?.reason = text
      return []
    case .voidReasonEdited(let text):
      if case .voiding = sales?.phase { sales?.phase = .voiding(reason: text) }
      return []
    case .salesLoaded(let result):
      return salesLoaded(result)
    case .voucherDetailLoaded(let code, let result):
      guard var screen = detail, screen.code == code else { return [] }
      switch result {
      case .success(let found):
        guard let voucher = found.voucher else {
          screen.phase = .failed(CashierWords.sentence(for: .notFound(code: code)))
          break
        }
        screen.voucher = voucher
        screen.status = voucher.status(at: now)
        screen.history = found.history
        screen.holder = found.holder
        screen.phase = .shown
      case .failure(let error):
        screen.phase = .failed(sentence(error))
      }
      detail = screen
      return []
    case .voided(let id, let result):
      return voided(id, result)
    case .receiptFiled(let orderId, let note):
      if redeem?.orderId == orderId, case .redeemed = redeem?.phase { redeem?.receiptNote = note }
      if route == .daysSales, let done = sales?.outcome {
        sales?.outcome =
          note.isError ? note : Notice(done.text + " VOID receipt saved.")
      }
      return []

    case .contactsFound(let query, let result):
      return contactsFound(query: query, result)
    case .contactPageFound(let query, let offset, let result):
      if offset == 0 {
        if query == findContact.query, case .success(let page) = result {
          findContact.total = page.total
        }
        return contactsFound(query: query, result.map(\.contacts))
      }
      guard query == findContact.query, offset == findContact.results.count else { return [] }
      findContact.loadingMore = false
      if case .success(let page) = result {
        findContact.results += page.contacts
        findContact.total = page.total
      }
      return []
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
      return codeLookedUp(code, result)
    case .holderLoaded(let code, let result):
      return holderLoaded(code, result)
    case .validated(let orderId, let result):
      guard orderId == sale.orderId, sale.validation == .checking else { return [] }
      switch result {
      case .success(let answer): sale.validation = .answered(answer)
      case .failure(let error): sale.validation = .failed(sentence(error))
      }
      return []
    case .redeemResponded(let key, let result):
      if recovery != nil { return [] }
      return redeemResponded(key, result)
    case .journalFailed(let key, let detail):
      return journalFailed(key, detail)
    case .deadlinePassed(let key):
      return deadlinePassed(key)
    case .resolved(let key, let result):
      if recovery != nil { return recoveryResolved(key, result) }
      return resolved(key, result)
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

  /// Every answer says whether the back end answers: the status bar shows a recovery on
  /// the first success, not at the next health check.
  private mutating func noteBackend(_ action: Action) {
    guard session.isRemote else { return }
    func note<T>(_ result: Result<T, ClientError>) {
      switch result {
      case .success: session.backendAnswers = true
      case .failure(.unreachable), .failure(.timedOut): session.backendAnswers = false
      case .failure: return
      }
      backendNotedSinceCheck = true
    }
    switch action {
    case .contactsFound(_, let result): note(result)
    case .vouchersLoaded(_, _, let result): note(result)
    case .codeLookedUp(_, let result): note(result)
    case .holderLoaded(_, let result): note(result)
    case .validated(_, let result): note(result)
    case .redeemResponded(_, let result): note(result)
    case .resolved(_, let result): note(result)
    case .reactivated(let result): note(result)
    case .salesLoaded(let result): note(result)
    case .voided(_, let result): note(result)
    case .roleReported(let result, _): note(result)
    default: break
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
    if staffPIN != nil { return staffPINKey(key) }
    if let question { return answer(question, with: key) }
    let typing = !(focusedText ?? "").isEmpty
    if let command = KeyMap.command(for: key, typing: typing) { return perform(command) }
    let action: Action? =
      switch route {
      case .findContact: findContact.handle(key)
      case .cart: cart.handle(key)
      case .support: support?.handle(key)
      case .contact: contact?.handle(key)
      case .redeem: redeem?.handle(key)
      case .daysSales: sales?.handle(key)
      case .voucherDetail: nil
      case .emptyDatabase, .recovery: nil
      }
    return action.map { reduce($0) } ?? []
  }

  // MARK: Questions

  /// Enter says yes; Esc says no; F1 still helps; anything else leaves the question open.
  private mutating func answer(_ question: Question, with key: Key) -> [Effect] {
    let command = KeyMap.command(for: key, typing: false)
    if command == .help {
      showsHelp = true
      return []
    }
    let yes = command == .confirm || (question == .quitUnresolved && command == .quit)
    guard yes || command == .back else {
      notice = Notice("Enter answers yes, Esc no.", isError: true)
      return []
    }
    self.question = nil
    switch question {
    case .switchCustomer(let customer):
      guard yes else { return [] }
      let previous = sale.customer?.name ?? "the previous customer"
      let removed = sale.switchCustomer(to: customer)
      if !removed.isEmpty {
        notice = Notice(
          "Removed \(removed.joined(separator: ", ")): personal to \(previous).")
      }
      return show(customer)
    case .attachHolder(let code, let holder):
      guard yes else {
        notice = Notice("\(code.code) was not added.")
        return []
      }
      sale.attach(holder)
      return add(code)
    case .quitUnresolved:
      guard yes else { return [] }
      isQuitting = true
      quitsUnresolved = true
      return [.quit]
    case .largeSale:
      guard yes, case .answered(let result) = sale.validation else { return [] }
      openRedeem(result)
      return []
    }
  }

  // MARK: Commands

  private mutating func perform(_ command: Command) -> [Effect] {
    if route == .recovery { return recoveryCommand(command) }
    let pending = route == .redeem && redeem?.isPending == true
    switch command {
    case .help:
      showsHelp = true
      return []
    case .redraw:
      return [.redraw]
    case .quit:
      if pending {
        question = .quitUnresolved
        return []
      }
      isQuitting = true
      return [.quit]
    case .confirm where pending:
      return redeemCommand(command)
    case _ where pending:
      notice = Notice(
        "The outcome is not known yet: the sale stays on screen until it is (F10 quits).",
        isError: true)
      return []
    case .daysSales:
      return openSales()
    case .voucherDetail:
      return openDetail()
    case .newSale:
      startNewSale()
      notice = Notice("New sale \(sale.orderId).")
      return []
    case .findContact:
      if sale.isFinished { startNewSale() }
      route = .findContact
      findContact.focus = session.capabilities.findsContacts ? .contact : .code
      return []
    case .enterCode:
      if sale.isFinished { startNewSale() }
      if route == .contact || route == .cart {
        // The contact on screen is the sale's customer: the code goes on their sale.
        route = .cart
        cart.focus = .code
      } else {
        route = .findContact
        findContact.focus = .code
      }
      return []
    default:
      break
    }
    switch route {
    case .emptyDatabase, .recovery: return []
    case .daysSales: return salesCommand(command)
    case .voucherDetail:
      guard var screen = detail else { return [] }
      switch command {
      case .back:
        route = screen.returnRoute
        detail = nil
      case .moveDown, .pageDown:
        screen.scroll = min(screen.scroll + 1, max(0, (screen.history?.count ?? 1) - 1))
      case .moveUp, .pageUp: screen.scroll = max(0, screen.scroll - 1)
      default: break
      }
      if route == .voucherDetail { detail = screen }
      return []
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
      guard session.capabilities.findsContacts else { break }
      findContact.focus = findContact.focus == .contact ? .code : .contact
    case .moveUp, .moveDown, .pageUp, .pageDown, .first, .last:
      let atEnd = findContact.selection >= findContact.results.count - 1
      findContact.selection = Self.moved(
        findContact.selection, by: command, count: findContact.results.count)
      // Past the last row (or a page down near it): the next page, when there is one.
      let more = (findContact.total ?? 0) > findContact.results.count
      if more, !findContact.loadingMore,
        (command == .moveDown && atEnd)
          || (command == .pageDown
            && findContact.selection + Self.pageRows > findContact.results.count - 1)
      {
        findContact.loadingMore = true
        return [.findMoreContacts(findContact.query, offset: findContact.results.count)]
      }
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

  /// Enter on the search field: the selected contact, or, when nobody matches, the text as
  /// a voucher code (a scanner types into whichever field has the cursor).
  private mutating func openSelectedContact() -> [Effect] {
    guard findContact.results.indices.contains(findContact.selection) else {
      return lookUp(findContact.query)
    }
    return open(findContact.results[findContact.selection])
  }

  /// Opening a contact attaches them to a sale that has none; a sale with someone else's
  /// codes or lines asks first.
  private mutating func open(_ customer: Customer) -> [Effect] {
    if sale.isFinished { startNewSale() }
    switch sale.customer {
    case nil:
      sale.attach(customer)
    case let current? where current.id == customer.id:
      break
    case _ where sale.isEmpty:
      sale.switchCustomer(to: customer)
    default:
      question = .switchCustomer(to: customer)
      return []
    }
    return show(customer)
  }

  /// The contact screen of the sale's customer.
  private mutating func show(_ customer: Customer) -> [Effect] {
    if contact?.customer.id != customer.id { contact = ContactScreen(customer: customer) }
    route = .contact
    return [.loadVouchers(customerId: customer.id, filter: contact!.tab)]
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
    case .moveUp, .moveDown, .pageUp, .pageDown, .first, .last:
      screen.selection = Self.moved(
        screen.selection, by: command, count: screen.page?.items.count ?? 0)
    case .confirm:
      guard let listed = screen.selected else { return [] }
      let code = listed.voucher.code
      if sale.codes.contains(where: { $0.code == code }) {
        notice = Notice("\(code) is on this sale already.")
      } else if let refused = sale.add(Sale.Code(code, holderId: listed.voucher.holderId)) {
        notice = Notice(refused, isError: true)
        return []
      } else {
        notice = Notice("Added \(code).")
      }
      cart.focus = .line
      route = .cart
    case .reactivate:
      guard session.role == .support else {
        notice = Notice("Reactivation is for the support role (--role support).", isError: true)
        return []
      }
      guard let listed = screen.selected else { return [] }
      if session.needsStaffPIN {
        contact = screen
        return askStaffPIN(for: .reactivate)
      }
      support = SupportScreen(
        voucher: listed.voucher, status: listed.status, holderName: screen.customer.name)
      support?.cannotGiveBack = session.capabilities.unRedeem == .none
      route = .support
    default:
      break
    }
    return []
  }

  // MARK: Codes

  /// A typed or scanned code (`CODE` or `CODE=AMOUNT`): looked up first, so that whose it
  /// is can be said before it goes on the sale.
  private mutating func lookUp(_ text: String) -> [Effect] {
    if sale.isFinished { startNewSale() }
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty else { return [] }
    var code = Sale.Code(trimmed.normalizedCode)
    if let equals = trimmed.lastIndex(of: "=") {
      let amountText = trimmed[trimmed.index(after: equals)...].trimmingCharacters(
        in: .whitespaces)
      code.code = String(trimmed[..<equals]).normalizedCode
      do {
        code.giftAmount = try Money.parse(amountText)
      } catch {
        refuseScan("Not added: \(error.description); type CODE=AMOUNT, e.g. GIFT-1=100.00.")
        return []
      }
      guard code.giftAmount! > 0 else {
        refuseScan("Not added: a gift card amount must be more than zero.")
        return []
      }
    }
    guard !code.code.isEmpty else {
      refuseScan("Type the code before the =.")
      return []
    }
    findContact.lookingUpCode = code.code
    return [.lookUpCode(code)]
  }

  /// A refused scan leaves the code field empty, so the next scan is not appended to it.
  private mutating func refuseScan(_ text: String) {
    notice = Notice(text, isError: true)
    findContact.code = ""
    cart.code = ""
  }

  private mutating func codeLookedUp(_ code: Sale.Code, _ result: Result<Voucher?, ClientError>)
    -> [Effect]
  {
    guard findContact.lookingUpCode == code.code else { return [] }
    findContact.lookingUpCode = nil
    switch result {
    case .success(let voucher?):
      var code = code
      code.code = voucher.code
      code.holderId = voucher.holderId
      if let amount = code.giftAmount {
        guard case .gift(_, let balance) = voucher.kind else {
          refuseScan("\(voucher.code) is not a gift card: type it without an amount.")
          return []
        }
        guard amount <= balance else {
          refuseScan(
            CashierWords.sentence(
              for: .giftAmountExceeded(balance: balance, requested: amount),
              currency: voucher.currency, timeZone: session.timeZone))
          return []
        }
      }
      if let holder = voucher.holderId {
        switch sale.customer {
        case nil:
          findContact.code = ""
          cart.code = ""
          return [.loadHolder(code, holderId: holder)]
        case let customer? where customer.id != holder:
          refuseScan(
            "\(voucher.code) belongs to another contact, not to \(customer.name ?? customer.id).")
          return []
        default:
          break
        }
      } else if let limit = voucher.perCustomer, sale.customer == nil {
        notice = Notice(
          "\(voucher.code) is limited to \(limit) per customer: F2 finds the customer.")
      }
      return add(code)
    case .success(nil):
      refuseScan(CashierWords.sentence(for: .notFound(code: code.code)))
    case .failure(let error):
      refuseScan(sentence(error))
    }
    return []
  }

  private mutating func holderLoaded(_ code: Sale.Code, _ result: Result<Customer?, ClientError>)
    -> [Effect]
  {
    guard sale.customer == nil else {
      // A customer was attached meanwhile: the rules for a bound voucher apply afresh.
      return lookUp(code.code + (code.giftAmount.map { "=" + Money.format($0) } ?? ""))
    }
    switch result {
    case .success(let holder?):
      question = .attachHolder(code, holder: holder)
    case .success(nil):
      refuseScan("\(code.code) belongs to a contact who cannot be found.")
    case .failure(let error):
      refuseScan(sentence(error))
    }
    return []
  }

  /// Puts a looked-up code on the sale and shows the cart.
  private mutating func add(_ code: Sale.Code) -> [Effect] {
    findContact.code = ""
    cart.code = ""
    if let refused = sale.add(code) {
      notice = Notice(refused, isError: true)
      return []
    }
    if notice == nil { notice = Notice("Added \(code.code).") }
    route = .cart
    cart.focus = .line
    return []
  }

  // MARK: Cart

  private mutating func cartCommand(_ command: Command) -> [Effect] {
    let rows = sale.codes.count + sale.items.count
    switch command {
    case .back:
      route = contact == nil ? .findContact : .contact
    case .nextTab, .previousTab:
      cart.focus = cart.nextField(findsContacts: session.capabilities.findsContacts)
    case .confirm where cart.focus == .customer:
      cart.focus = .line
    case .moveUp where rows > 0:
      cart.selection = max(0, (cart.selection ?? rows) - 1)
    case .moveDown where rows > 0:
      cart.selection = cart.selection.map { min(rows - 1, $0 + 1) } ?? 0
    case .pageUp where rows > 0, .pageDown where rows > 0, .first where rows > 0,
      .last where rows > 0:
      cart.selection = Self.moved(cart.selection ?? 0, by: command, count: rows)
    case .confirm where cart.focus == .code:
      return lookUp(cart.code)
    case .confirm:
      addLine()
    case .editLine:
      switch cart.row(in: sale) {
      case .line(let index)?:
        guard let item = sale.removeItem(at: index) else { return [] }
        cart.line = CartScreen.text(of: item)
        cart.focus = .line
      case .code(let index)?:
        // The code's row: its gift amount is edited as CODE=AMOUNT in the code field.
        let code = sale.codes[index]
        cart.code = code.code + "=" + (code.giftAmount.map(Money.format) ?? "")
        cart.focus = .code
      case nil:
        notice = Notice("Choose a row first (↑ ↓).", isError: true)
        return []
      }
      clampSelection()
    case .removeLine:
      switch cart.row(in: sale) {
      case .line(let index)?:
        sale.removeItem(at: index)
      case .code(let index)?:
        notice = Notice("Removed \(sale.codes[index].code).")
        sale.removeCode(at: index)
      case nil:
        notice = Notice("Choose a row to remove first (↑ ↓).", isError: true)
        return []
      }
      clampSelection()
    case .validate:
      guard checkCartIsComplete() else { return [] }
      sale.validation = .checking
      return [.validate(sale.request(session: session))]
    case .redeem:
      guard case .answered(let result) = sale.validation, result.valid else {
        notice = Notice("Validate first (F5): only a valid cart can be redeemed.", isError: true)
        return []
      }
      if result.orderAmount > session.maxSale {
        question = .largeSale(subtotal: result.orderAmount, currency: result.currency)
        return []
      }
      openRedeem(result)
    default:
      break
    }
    return []
  }

  /// Rows a page key moves: about what a list shows at 80×24.
  static let pageRows = 10

  /// `selection` moved by an arrow, page or Home/End key in a list of `count` rows.
  static func moved(_ selection: Int, by command: Command, count: Int) -> Int {
    guard count > 0 else { return 0 }
    let target =
      switch command {
      case .moveUp: selection - 1
      case .moveDown: selection + 1
      case .pageUp: selection - pageRows
      case .pageDown: selection + pageRows
      case .first: 0
      case .last: count - 1
      default: selection
      }
    return min(max(0, target), count - 1)
  }

  private mutating func openRedeem(_ result: ValidationResult) {
    redeem = RedeemScreen(
      request: sale.request(session: session), validation: result,
      customerName: sale.customer?.name)
    redeem?.session = session
    route = .redeem
  }

  private mutating func clampSelection() {
    let rows = sale.codes.count + sale.items.count
    cart.selection = rows == 0 ? nil : cart.selection.map { min($0, rows - 1) }
  }

  private mutating func checkCartIsComplete() -> Bool {
    if sale.codes.isEmpty {
      notice = Notice("Choose a voucher first: F3 adds a code.", isError: true)
    } else if sale.items.isEmpty {
      notice = Notice("Add a cart line first, e.g. prod_1 1 259.00.", isError: true)
    }
    return notice == nil
  }

  private mutating func addLine() {
    guard !cart.line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
    do {
      let item = try CartItem.parse(cart.line)
      if let refused = sale.add(item) {
        cart.lineError = refused
        return
      }
      cart.line = ""
      cart.lineError = nil
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
      case .editing where screen.cannotGiveBack:
        return []
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

  /// The detail of the voucher selected on the contact's list, or of the code's row on the
  /// cart.
  private mutating func openDetail() -> [Effect] {
    let code: String?
    switch route {
    case .contact: code = contact?.selected?.voucher.code
    case .cart:
      if case .code(let index)? = cart.row(in: sale) {
        code = sale.codes[index].code
      } else {
        code = nil
      }
    default: code = nil
    }
    guard let code else {
      notice = Notice("Choose a voucher first (↑ ↓).", isError: true)
      return []
    }
    detail = VoucherDetailScreen(code: code, returnRoute: route)
    route = .voucherDetail
    return [.loadVoucherDetail(code: code)]
  }

  /// A new sale with a new order id; the finished one is never shown again.
  mutating func startNewSale() {
    saleNumber += 1
    sale = Sale(orderId: session.orderId(sale: saleNumber))
    cart = CartScreen()
    redeem = nil
    contact = nil
    question = nil
    findContact = FindContactScreen()
    if !session.capabilities.findsContacts { findContact.focus = .code }
    route = .findContact
  }
}
