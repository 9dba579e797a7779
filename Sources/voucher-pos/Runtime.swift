import CashierUI
import Foundation
import Synchronization

/// Results of effects, handed from their tasks to the loop on the main thread.
final class Inbox: Sendable {
  private let state = Mutex<(actions: [Action], inFlight: Int)>(([], 0))

  func started() { state.withLock { $0.inFlight += 1 } }

  func finished(_ action: Action?, counted: Bool) {
    state.withLock {
      if counted { $0.inFlight -= 1 }
      if let action { $0.actions.append(action) }
    }
  }

  func drain() -> [Action] {
    state.withLock {
      let actions = $0.actions
      $0.actions = []
      return actions
    }
  }

  var isWaiting: Bool { state.withLock { $0.inFlight > 0 } }
}

/// The loop: draw, wait briefly for a key, apply keys, results and the time, start effects.
struct Runtime {
  let terminal: CursesTerminal
  let runner: EffectRunner

  /// Without an answer pending a key wait of 100 ms keeps the countdown live at no cost;
  /// with one pending, 10 ms shows it soon after it lands.
  static let idleWait: Int32 = 100
  static let busyWait: Int32 = 10

  func run(_ state: inout AppState) {
    let inbox = Inbox()
    for effect in state.startEffects { start(effect, inbox: inbox) }
    while !state.isQuitting, !terminal.isGone {
      let size = terminal.size
      var canvas = Canvas(width: size.width, height: size.height)
      render(state, into: &canvas)
      terminal.draw(canvas)
      var actions: [Action] = []
      if let key = terminal.readKey(waiting: inbox.isWaiting ? Self.busyWait : Self.idleWait) {
        actions.append(.key(key))
      }
      actions += inbox.drain()
      actions.append(.tick(Date()))
      for action in actions {
        for effect in reduce(&state, action) { start(effect, inbox: inbox) }
      }
    }
  }

  private func start(_ effect: Effect, inbox: Inbox) {
    if effect == .quit { return }
    // The deadline timer sleeps for the whole timeout; it must not hold the loop in its
    // fast wait.
    let counted: Bool
    if case .startDeadline = effect { counted = false } else { counted = true }
    if counted { inbox.started() }
    let runner = self.runner
    Task.detached {
      let action = await runner.run(effect)
      inbox.finished(action, counted: counted)
    }
  }
}
