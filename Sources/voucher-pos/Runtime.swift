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
        // A paste (or a scanner) delivers many keys at once: take all that are waiting
        // before drawing again, or 10 KB would cost 10,000 frames.
        while actions.count < Self.keysPerFrame, let next = terminal.readKey(waiting: 0) {
          actions.append(.key(next))
        }
      }
      actions += inbox.drain()
      actions.append(.tick(Date()))
      var effects: [Effect] = []
      for action in actions { effects += reduce(&state, action) }
      for effect in Self.coalesced(effects) {
        if effect == .redraw {
          terminal.redrawAll()
        } else {
          start(effect, inbox: inbox)
        }
      }
    }
  }

  /// At most this many keys between two frames.
  static let keysPerFrame = 4096

  /// `effects` without searches a later search in the same batch makes moot: their
  /// answers would be dropped as stale anyway.
  static func coalesced(_ effects: [Effect]) -> [Effect] {
    guard
      let last = effects.lastIndex(where: { if case .findContacts = $0 { true } else { false } })
    else { return effects }
    return effects.enumerated().compactMap { index, effect in
      if case .findContacts = effect, index != last { return nil }
      return effect
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
