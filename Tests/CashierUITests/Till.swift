import Foundation
import Testing
import VoucherClient
import VoucherEngine

@testable import CashierUI

/// The till in a test: a real engine on a temporary file with a manual clock, loaded with
/// the demo data, and a driver that feeds keys through `reduce` and runs the effects it
/// asks for through `LocalClient`, except the deadline timer: time moves only by `.tick`.
final class Till {
  /// Far enough ahead of the wall clock that `LocalClient`'s real-time deadline timer
  /// never fires during a test.
  static let start = Date(timeIntervalSince1970: 1_900_000_000)

  /// The support member on the till's database (`Kim` is its cashier, PIN 1357).
  static let support = (name: "Sam Support", pin: "2468")

  let folder: URL
  let clock: ManualClock
  let engine: VoucherEngine
  let runner: EffectRunner
  var state: AppState
  /// Every effect the reducer asked for, in order.
  var effects: [Effect] = []

  init(role: Role = .cashier, empty: Bool = false) throws {
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "cashier-ui-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    clock = ManualClock(Self.start)
    engine = try VoucherEngine(
      path: folder.appendingPathComponent("engine.sqlite").path, clock: clock)
    if !empty {
      try Catalog.load(from: DemoCatalog.locate()!).apply(to: engine, now: Self.start)
      try engine.addStaff(name: Self.support.name, role: .support, pin: Self.support.pin)
      try engine.addStaff(name: "Kim", role: .cashier, pin: "1357")
    }
    runner = EffectRunner(
      client: LocalClient(engine: engine, description: "/data/engine.sqlite"), journal: nil)
    let session = Session(
      backend: "/data/engine.sqlite", terminal: "T01", cashier: "Kim", role: role,
      redeemTimeout: 60, currency: "SEK", timeZone: TimeZone(identifier: "UTC")!,
      saleTag: "test0001")
    state = AppState(session: session, now: Self.start, databaseIsEmpty: empty)
  }

  deinit { try? FileManager.default.removeItem(at: folder) }

  /// Applies `action`; with `running`, performs the effects and applies their results until
  /// nothing is left to do.
  func send(_ action: Action, running: Bool = true) async {
    var queue = [action]
    while !queue.isEmpty {
      let emitted = reduce(&state, queue.removeFirst())
      effects += emitted
      guard running else { continue }
      for effect in emitted {
        if case .startDeadline = effect { continue }
        if let result = await runner.run(effect) { queue.append(result) }
      }
    }
  }

  func press(_ keys: Key..., running: Bool = true) async {
    for key in keys { await send(.key(key), running: running) }
  }

  /// Gives the support PIN the prompt asks for.
  func giveSupportPIN() async {
    await type(Self.support.name)
    await press(.tab)
    await type(Self.support.pin)
    await press(.enter)
  }

  func type(_ text: String) async {
    for character in text { await send(.key(.character(character))) }
  }

  /// Moves time on by `seconds` (the till's ticks and the engine's clock alike).
  func advance(by seconds: TimeInterval) async {
    clock.advance(by: seconds)
    await send(.tick(state.now.addingTimeInterval(seconds)), running: false)
  }

  /// The screen as text, `width`×`height`; redemption and rollback ids (random) masked.
  func screen(width: Int = 80, height: Int = 24) -> String {
    var canvas = Canvas(width: width, height: height)
    render(state, into: &canvas)
    return canvas.text.replacing(/(rr?)_[a-z0-9]{8,}/) { "\($0.output.1)_<id>" }
  }

  // Journeys the tests share.

  func openAlice() async {
    await type("alice")
    await press(.enter)
  }

  func aliceCartValidated() async {
    await openAlice()
    await press(.enter)
    await type("prod_1 1 259.00")
    await press(.enter, .function(5))
  }
}

extension String {
  /// Runs of spaces made one: a check that reads "Amount to pay 233.10 SEK" does not
  /// depend on where a column ends.
  var squeezed: String { replacing(#/ {2,}/#, with: " ") }
}

/// Compares screens line by line so a failure says which line differs.
func expectScreen(
  _ actual: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual == expected, sourceLocation: sourceLocation)
  if actual != expected {
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(a.count, e.count) {
      let left = index < a.count ? String(a[index]) : "<none>"
      let right = index < e.count ? String(e[index]) : "<none>"
      if left != right {
        Issue.record(
          "line \(index): got\n|\(left)|\nexpected\n|\(right)|", sourceLocation: sourceLocation)
        break
      }
    }
  }
}
