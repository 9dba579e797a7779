import Foundation
import VoucherClient
import VoucherEngine

// The 60-second rule lives here. Past the deadline the outcome is unknown: the only way out
// of `.checking` is the order check's answer (or a real answer to the redeem itself), and no
// second redeem is sent before that answer says nothing was made.
extension AppState {
  mutating func redeemCommand(_ command: Command) -> [Effect] {
    guard var screen = redeem else { return [] }
    switch (command, screen.phase) {
    case (.confirm, .confirming), (.confirm, .notRedeemed):
      let deadline = now.addingTimeInterval(session.redeemTimeout)
      screen.phase = .redeeming(deadline: deadline)
      redeem = screen
      return [.redeem(screen.request, deadline: deadline), .startDeadline(deadline)]
    case (.confirm, .checkFailed):
      screen.phase = .checking
      redeem = screen
      return [.checkOrder(screen.orderId)]
    case (.confirm, .redeemed), (.back, .redeemed):
      startNewSale()
    case (.back, .confirming), (.back, .notRedeemed), (.back, .rejected), (.confirm, .rejected):
      route = .cart
      redeem = nil
    case (.back, .checkFailed):
      notice = Notice(
        "Not known yet whether it was used: Enter checks again before anything else.",
        isError: true)
    case (.back, _):
      notice = Notice("Wait: the redeem has not answered yet.", isError: true)
    default:
      break
    }
    return []
  }

  mutating func redeemResponded(_ result: Result<RedeemOutcome, ClientError>) -> [Effect] {
    guard var screen = redeem else { return [] }
    defer { redeem = screen }
    switch (result, screen.phase) {
    case (_, .redeemed), (_, .confirming):
      return []
    case (.success(let outcome), _):
      // A late answer is still the answer: it wins over a check that has not come back.
      screen.phase = .redeemed(Receipt(outcome))
    case (.failure(.rejected), _), (.failure(.notAllowed), _):
      if case .failure(let error) = result { screen.phase = .rejected(sentence(error)) }
    case (.failure(.unreachable), .redeeming):
      if case .failure(let error) = result { screen.phase = .notRedeemed(sentence(error)) }
    case (.failure, .redeeming):
      screen.phase = .checking
      return [.checkOrder(screen.orderId)]
    case (.failure, _):
      return []
    }
    return []
  }

  mutating func orderChecked(_ result: Result<[Redemption], ClientError>) -> [Effect] {
    guard var screen = redeem, screen.phase == .checking else { return [] }
    switch result {
    case .success(let found):
      screen.phase = Receipt(found: found).map { .redeemed($0) } ?? .notRedeemed(nil)
    case .failure(let error):
      screen.phase = .checkFailed(sentence(error))
    }
    redeem = screen
    return []
  }

  mutating func startNewSale() {
    saleNumber += 1
    cart = CartScreen(orderId: session.orderId(sale: saleNumber))
    redeem = nil
    contact = nil
    findContact = FindContactScreen()
    route = .findContact
  }
}
