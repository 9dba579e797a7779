import Foundation
import VoucherClient
import VoucherEngine

// The 60-second rule lives here. Past the deadline the outcome is unknown, and the only
// ways out of it are a real answer to the redeem, or the back end's word about the attempt
// (`resolve`: the fence, where there is one). "Not redeemed" needs a guarantee that the
// attempt can never land; a read alone is never one. Until then the screen says "not known
// yet" and asks again, ever less often.
extension AppState {
  /// Seconds before asking again, after `asks` unanswered questions: 1, 2, 4, 8, then 15.
  static func backoff(asks: Int) -> TimeInterval {
    min(15, pow(2, Double(max(0, asks - 1))))
  }

  mutating func redeemCommand(_ command: Command) -> [Effect] {
    guard var screen = redeem else { return [] }
    switch (command, screen.phase) {
    case (.confirm, .confirming), (.confirm, .notRedeemed):
      return send(&screen)
    case (.confirm, .unknown):
      return ask(&screen)
    case (.confirm, .redeemed), (.back, .redeemed):
      startNewSale()
    case (.back, .confirming), (.back, .notRedeemed), (.back, .rejected), (.confirm, .rejected):
      route = .cart
      redeem = nil
    default:
      break
    }
    return []
  }

  /// A new attempt: journaled and synced by the runtime before it is sent.
  private mutating func send(_ screen: inout RedeemScreen) -> [Effect] {
    let attempt = sale.startAttempt(session: session, at: now)
    let deadline = now.addingTimeInterval(session.redeemTimeout)
    screen.request = attempt.request
    screen.phase = .redeeming(deadline: deadline)
    redeem = screen
    let validation = screen.validation
    let entry = JournalAttempt(
      attempt: attempt, backend: session.backend, customerName: sale.customer?.name,
      subtotal: validation.orderAmount, discount: validation.discountAmount,
      giftCredits: validation.giftCredits, total: validation.totalAmount,
      currency: validation.currency)
    return [
      .redeem(entry, deadline: deadline), .startDeadline(attempt: attempt.key, deadline),
    ]
  }

  private mutating func ask(_ screen: inout RedeemScreen) -> [Effect] {
    guard let attempt = sale.attempt else { return [] }
    if case .unknown(_, _, let asks) = screen.phase {
      screen.phase = .checking(asks: asks)
    } else {
      screen.phase = .checking(asks: 0)
    }
    redeem = screen
    return [.resolve(attempt)]
  }

  /// The current attempt's key, when the redeem screen is about it.
  private func isCurrent(_ key: String) -> Bool {
    redeem != nil && sale.attempt?.key == key
  }

  mutating func redeemResponded(_ key: String, _ result: Result<RedeemOutcome, ClientError>)
    -> [Effect]
  {
    guard isCurrent(key), var screen = redeem else { return [] }
    switch (result, screen.phase) {
    case (_, .redeemed), (_, .confirming), (_, .notRedeemed), (_, .rejected):
      return []
    case (.success(let outcome), _):
      // A late answer is still the answer: it wins over a question not answered yet.
      return redeemed(Receipt(outcome), redemptionId: outcome.redemption.id, &screen)
    case (.failure(.rejected(let refusal)), _):
      screen.phase = .rejected(sentence(.rejected(refusal)))
      redeem = screen
      return [.recordOutcome(attempt: key, .notRedeemed)]
    case (.failure(.notAllowed(let detail)), _):
      screen.phase = .rejected(sentence(.notAllowed(detail)))
      redeem = screen
      return [.recordOutcome(attempt: key, .notRedeemed)]
    case (.failure, .redeeming):
      // Lost, timed out, unreachable, failed: none of them proves nothing was made.
      return ask(&screen)
    case (.failure, _):
      return []
    }
  }

  mutating func journalFailed(_ key: String, _ detail: String) -> [Effect] {
    guard isCurrent(key), var screen = redeem, case .redeeming = screen.phase else { return [] }
    screen.phase = .notRedeemed("Not sent: the till's journal could not be written (\(detail)).")
    redeem = screen
    return []
  }

  mutating func deadlinePassed(_ key: String) -> [Effect] {
    guard isCurrent(key), var screen = redeem, case .redeeming = screen.phase else { return [] }
    return ask(&screen)
  }

  mutating func resolved(_ key: String, _ result: Result<AttemptResolution, ClientError>)
    -> [Effect]
  {
    guard isCurrent(key), var screen = redeem else { return [] }
    let asks: Int
    switch screen.phase {
    case .checking(let count), .unknown(_, _, let count): asks = count
    default: return []
    }
    switch result {
    case .success(.made(let redemption)):
      guard let receipt = Receipt(found: [redemption] + redemption.children) else {
        return unknown(
          "The voucher system's answer named no redemption.", asks: asks + 1, &screen)
      }
      return redeemed(receipt, redemptionId: redemption.id, &screen)
    case .success(.notMade):
      screen.phase = .notRedeemed(nil)
      redeem = screen
      return [.recordOutcome(attempt: key, .notRedeemed)]
    case .success(.unknown(let why)):
      return unknown(why, asks: asks + 1, &screen)
    case .failure(let error):
      return unknown(Self.askFailed(error), asks: asks + 1, &screen)
    }
  }

  /// Why asking did not settle it, in words that never say "try again".
  static func askFailed(_ error: ClientError) -> String {
    switch error {
    case .unreachable, .timedOut:
      "The voucher system did not answer the question."
    case .backendFailed(let detail):
      "The voucher system failed to answer: \(detail)"
    case .notAllowed(let detail):
      "The voucher system refused the question: \(detail)"
    case .rejected(let refusal):
      "The voucher system refused the question: \(CashierWords.sentence(for: refusal.reason))"
    case .outcomeUnknown:
      "The voucher system did not answer the question."
    }
  }

  private mutating func unknown(_ why: String, asks: Int, _ screen: inout RedeemScreen)
    -> [Effect]
  {
    screen.phase = .unknown(
      why, nextAsk: now.addingTimeInterval(Self.backoff(asks: asks)), asks: asks)
    redeem = screen
    return []
  }

  private mutating func redeemed(
    _ receipt: Receipt, redemptionId: String, _ screen: inout RedeemScreen
  ) -> [Effect] {
    screen.phase = .redeemed(receipt)
    redeem = screen
    let key = sale.attempt?.key ?? ""
    sale.finish()
    return [.recordOutcome(attempt: key, .redeemed), .fileReceipt(printed(receipt, screen))]
  }

  /// The receipt as it is written to its file and printed.
  private func printed(_ receipt: Receipt, _ screen: RedeemScreen) -> PrintedReceipt {
    PrintedReceipt(
      till: session.terminal, cashier: session.cashier, orderId: receipt.orderId,
      date: receipt.date, timeZone: session.timeZone,
      lines: receipt.items.map {
        .init(sku: $0.sku, quantity: $0.quantity, unitPrice: $0.price, amount: $0.amount)
      },
      codes: receipt.perCode.map {
        .init(
          code: $0.code, kind: $0.giftBalanceLeft == nil ? .discount : .gift, amount: $0.amount,
          giftBalanceLeft: $0.giftBalanceLeft)
      },
      subtotal: receipt.orderAmount, discount: receipt.discount,
      giftCredits: receipt.giftCredits, amountToPay: receipt.amountToPay,
      currency: screen.validation.currency, redemptionId: receipt.redemptionId)
  }

  /// The deadline, and asking again once the wait is over.
  mutating func redeemTick() -> [Effect] {
    guard var screen = redeem, let attempt = sale.attempt else { return [] }
    switch screen.phase {
    case .redeeming(let deadline) where now >= deadline:
      return deadlinePassed(attempt.key)
    case .unknown(_, let next, _) where now >= next:
      return ask(&screen)
    default:
      return []
    }
  }

  // MARK: Recovery

  mutating func recoveryCommand(_ command: Command) -> [Effect] {
    guard var screen = recovery else { return [] }
    switch command {
    case .help:
      showsHelp = true
    case .redraw:
      return [.redraw]
    case .quit:
      isQuitting = true
      quitsUnresolved = !screen.isDone
      return [.quit]
    case .confirm where screen.isDone:
      recovery = nil
      route = .findContact
    case .confirm:
      var effects: [Effect] = []
      for index in screen.items.indices {
        if case .unknown(_, _, let asks) = screen.items[index].state {
          screen.items[index].state = .asking(asks: asks)
          effects.append(.resolve(screen.items[index].entry.attempt))
        }
      }
      recovery = screen
      return effects
    default:
      notice = Notice(
        "First the till must know how these sales ended (F10 quits and keeps them).",
        isError: true)
    }
    return []
  }

  mutating func recoveryResolved(_ key: String, _ result: Result<AttemptResolution, ClientError>)
    -> [Effect]
  {
    guard var screen = recovery,
      let index = screen.items.firstIndex(where: { $0.entry.attempt.key == key })
    else { return [] }
    let asks: Int
    switch screen.items[index].state {
    case .asking(let count), .unknown(_, _, let count): asks = count
    case .redeemed, .notRedeemed: return []
    }
    var effects: [Effect] = []
    switch result {
    case .success(.made(let redemption)):
      screen.items[index].state = .redeemed(redemptionId: redemption.id)
      effects.append(.recordOutcome(attempt: key, .redeemed))
    case .success(.notMade):
      screen.items[index].state = .notRedeemed
      effects.append(.recordOutcome(attempt: key, .notRedeemed))
    case .success(.unknown(let why)):
      screen.items[index].state = .unknown(
        why, nextAsk: now.addingTimeInterval(Self.backoff(asks: asks + 1)), asks: asks + 1)
    case .failure(let error):
      screen.items[index].state = .unknown(
        Self.askFailed(error), nextAsk: now.addingTimeInterval(Self.backoff(asks: asks + 1)),
        asks: asks + 1)
    }
    recovery = screen
    if screen.isDone {
      notice = Notice("Every earlier sale is resolved.")
    }
    return effects
  }

  mutating func recoveryTick() -> [Effect] {
    guard var screen = recovery else { return [] }
    var effects: [Effect] = []
    for index in screen.items.indices {
      if case .unknown(_, let next, let asks) = screen.items[index].state, now >= next {
        // Keeps its count of asks, so the wait keeps growing.
        screen.items[index].state = .asking(asks: asks)
        effects.append(.resolve(screen.items[index].entry.attempt))
      }
    }
    recovery = screen
    return effects
  }
}
