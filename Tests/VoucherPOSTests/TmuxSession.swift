import Foundation
import TestSupport
import Testing

/// The built `voucher-pos` in a private tmux server, pinned to 80×24, `xterm-256color` and
/// `C.UTF-8`. Tests wait for text with a timeout and never sleep a fixed time.
final class TmuxSession {
  let socket = "vpos-\(UUID().uuidString.prefix(8))"
  private(set) var started = false

  static var executable: String {
    get throws { try binary("voucher-pos") }
  }

  /// A program built next to this test bundle (`voucher-pos`, `voucher-engine`).
  static func binary(_ name: String) throws -> String {
    try builtProgram(name).path
  }

  /// This session's own `XDG_STATE_HOME`: a till's default journal and receipts land here,
  /// never in the user's home, where two tests' tills of one terminal id would share them.
  let stateFolder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "vpos-state-\(UUID().uuidString.prefix(8))"
  ).path

  /// The environment every program in the session runs with.
  var environment: String {
    "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 SWIFT_BACKTRACE=interactive=no"
      + " XDG_STATE_HOME=\(stateFolder)"
  }

  /// Starts `command` (a shell command line) in a detached 80×24 session.
  func start(_ command: String) throws {
    try tmux([
      "-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "80", "-y", "24", command,
    ])
    started = true
    try tmux(["set-option", "-t", "main", "remain-on-exit", "on"])
  }

  func startPOS(_ arguments: String = "--demo") throws {
    try start("\(environment) \(try Self.executable) \(arguments)")
  }

  @discardableResult
  func tmux(_ arguments: [String]) throws -> String {
    // posix_spawn and waitpid rather than Process, whose exit notification can get lost
    // when a test waits on a cooperative thread; output goes to a file, not a pipe, because
    // the tmux server forked by new-session would hold a pipe open forever.
    let capture = FileManager.default.temporaryDirectory.appendingPathComponent(
      "\(socket)-\(UUID().uuidString.prefix(8)).out"
    ).path
    defer { unlink(capture) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, capture, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = ["tmux", "-L", socket] + arguments
    var cArguments = argv.map { strdup($0) } + [nil]
    defer { for pointer in cArguments { free(pointer) } }
    var child: pid_t = 0
    let status = posix_spawnp(&child, "tmux", &actions, nil, &cArguments, environ)
    guard status == 0 else {
      if status == ENOENT {
        // A missing tmux fails these tests (never skips them), with the line that fixes it.
        Issue.record("tmux is not installed: apt-get install -y tmux (the README's setup line)")
      }
      throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO)
    }
    var exitStatus: Int32 = 0
    while waitpid(child, &exitStatus, 0) == -1 && errno == EINTR {}
    return (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
  }

  func send(_ keys: String...) throws { try tmux(["send-keys", "-t", "main"] + keys) }

  /// Types text literally (no key-name lookup).
  func type(_ text: String) throws { try tmux(["send-keys", "-t", "main", "-l", text]) }

  func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", "main"]) }

  /// Polls the screen until `text` shows; records the whole screen when it never does.
  @discardableResult
  func waitFor(
    _ text: String, timeout: TimeInterval = 15, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    var shown = ""
    while Date() < deadline {
      shown = try screen()
      if shown.contains(text) { return shown }
      usleep(20_000)
    }
    Issue.record(
      "“\(text)” did not appear; the screen was:\n\(shown)", sourceLocation: sourceLocation)
    throw CancellationError()
  }

  /// Polls until one of `texts` shows; returns the one that did (the first listed wins).
  func waitForAny(
    _ texts: [String], timeout: TimeInterval = 15,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    var shown = ""
    while Date() < deadline {
      shown = try screen()
      if let found = texts.first(where: { shown.contains($0) }) { return found }
      usleep(20_000)
    }
    Issue.record(
      "none of \(texts) appeared; the screen was:\n\(shown)", sourceLocation: sourceLocation)
    throw CancellationError()
  }

  /// Polls until the shell's prompt (`PS1='$ '`) is the last line shown: the program run
  /// from it has ended and the shell reads again. Text typed before that goes to the ending
  /// program, or is flushed when it restores the terminal (seen under load in a full run).
  @discardableResult
  func waitForPrompt(
    timeout: TimeInterval = 15, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    var shown = ""
    while Date() < deadline {
      shown = try screen()
      let last = shown.split(separator: "\n").last { !$0.allSatisfy(\.isWhitespace) }
      if last?.trimmingCharacters(in: .whitespaces) == "$" { return shown }
      usleep(20_000)
    }
    Issue.record(
      "the shell's prompt did not come back; the screen was:\n\(shown)",
      sourceLocation: sourceLocation)
    throw CancellationError()
  }

  func resize(width: Int, height: Int) throws {
    try tmux(["resize-window", "-t", "main", "-x", "\(width)", "-y", "\(height)"])
  }

  /// Kills the session and its private server.
  func stop() {
    guard started else { return }
    started = false
    _ = try? tmux(["kill-session", "-t", "main"])
    _ = try? tmux(["kill-server"])
    try? FileManager.default.removeItem(atPath: stateFolder)
  }

  deinit { stop() }
}
