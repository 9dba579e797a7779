import CashierUI
import Foundation
import Testing

@Suite("Status bar")
struct StatusBarTests {
  private func statusLine(_ session: Session) -> String {
    var canvas = Canvas(width: 80, height: 24)
    render(AppState(session: session, now: Date()), into: &canvas)
    return String(canvas.text.split(separator: "\n", omittingEmptySubsequences: false)[0])
  }

  @Test("a long database path is cut from the front and never covers the terminal id")
  func longPathIsFitted() {
    let line = statusLine(
      Session(
        backend: "/var/lib/voucher-pos/stores/stockholm-centralen/till-data/engine.sqlite",
        terminal: "T07", cashier: "Maja", saleTag: "abcd1234"))
    #expect(line.contains("…"))
    #expect(line.contains("engine.sqlite"))
    #expect(line.contains("Till T07 │ Maja (cashier)"))
  }

  @Test(
    "a remote endpoint shows whether it answers",
    arguments: [(true, "● online"), (false, "✕ offline")])
  func remoteHealth(answers: Bool, label: String) {
    var session = Session(backend: "http://store:8080", terminal: "T02", saleTag: "abcd1234")
    session.isRemote = true
    #expect(statusLine(session).contains("store:8080 … checking"))
    session.backendAnswers = answers
    let line = statusLine(session)
    #expect(line.contains("store:8080 \(label)"))
    #expect(line.contains("Till T02 │ cashier (cashier)"))
  }

  @Test(
    "the health of a remote endpoint is asked for on the first tick, every 10 s, and every 2 s while it does not answer"
  )
  func healthIsPolled() {
    var session = Session(backend: "http://store:8080", saleTag: "abcd1234")
    session.isRemote = true
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    var state = AppState(session: session, now: start)
    #expect(reduce(&state, .tick(start)) == [.checkBackend])
    #expect(reduce(&state, .tick(start.addingTimeInterval(5))) == [])
    #expect(reduce(&state, .backendChecked(answers: true)) == [])
    #expect(reduce(&state, .tick(start.addingTimeInterval(9))) == [])
    #expect(reduce(&state, .tick(start.addingTimeInterval(10))) == [.checkBackend])
    #expect(reduce(&state, .backendChecked(answers: false)) == [])
    #expect(state.session.backendAnswers == false)
    #expect(reduce(&state, .tick(start.addingTimeInterval(11))) == [])
    #expect(reduce(&state, .tick(start.addingTimeInterval(12))) == [.checkBackend])
    #expect(reduce(&state, .backendChecked(answers: true)) == [])
    #expect(reduce(&state, .tick(start.addingTimeInterval(14))) == [])
  }

  @Test("a health check's late answer does not undo a newer answer of a call")
  func lateHealthCheckIsDropped() {
    var session = Session(backend: "http://store:8080", saleTag: "abcd1234")
    session.isRemote = true
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    var state = AppState(session: session, now: start)
    #expect(reduce(&state, .tick(start)) == [.checkBackend])
    // Asked while the server's database was down; a search answers before the check does.
    _ = reduce(&state, .queryEdited("alice"))
    _ = reduce(&state, .contactsFound(query: "alice", .success([])))
    #expect(state.session.backendAnswers == true)
    _ = reduce(&state, .backendChecked(answers: false))
    #expect(state.session.backendAnswers == true)
    #expect(statusLine(state.session).contains("● online"))
    // With no call in between, a check's answer is what the status bar says.
    #expect(reduce(&state, .tick(start.addingTimeInterval(10))) == [.checkBackend])
    _ = reduce(&state, .backendChecked(answers: false))
    #expect(state.session.backendAnswers == false)
  }

  @Test("one health check at a time; one that never answers is given up after 30 s")
  func oneHealthCheckAtATime() {
    var session = Session(backend: "http://store:8080", saleTag: "abcd1234")
    session.isRemote = true
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    var state = AppState(session: session, now: start)
    #expect(reduce(&state, .tick(start)) == [.checkBackend])
    #expect(reduce(&state, .tick(start.addingTimeInterval(10))) == [])
    #expect(reduce(&state, .tick(start.addingTimeInterval(20))) == [])
    #expect(reduce(&state, .tick(start.addingTimeInterval(30))) == [.checkBackend])
    _ = reduce(&state, .backendChecked(answers: true))
    #expect(reduce(&state, .tick(start.addingTimeInterval(40))) == [.checkBackend])
  }

  @Test("a local database is never health-checked")
  func localIsNotPolled() {
    var state = AppState(
      session: Session(backend: "/tmp/x.sqlite", saleTag: "abcd1234"), now: Date())
    #expect(reduce(&state, .tick(Date())) == [])
  }
}

@Suite("A search that could not be made")
struct FailedSearchTests {
  @Test("an unreachable backend is not reported as 'no contact matches'")
  func failedSearchIsNotNoMatch() {
    var state = AppState(
      session: Session(backend: "http://store:8080", saleTag: "abcd1234"), now: Date())
    _ = reduce(&state, .queryEdited("alice"))
    _ = reduce(&state, .contactsFound(query: "alice", .failure(.unreachable("refused"))))
    var canvas = Canvas(width: 80, height: 24)
    render(state, into: &canvas)
    #expect(canvas.text.contains("Could not search for “alice”"))
    #expect(!canvas.text.contains("No contact matches"))
    #expect(canvas.text.contains("The voucher system cannot be reached."))

    _ = reduce(&state, .queryEdited("alicia"))
    _ = reduce(&state, .contactsFound(query: "alicia", .success([])))
    canvas = Canvas(width: 80, height: 24)
    render(state, into: &canvas)
    #expect(canvas.text.contains("No contact matches “alicia”"))
  }
}
