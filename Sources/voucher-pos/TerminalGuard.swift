import Foundation

// What a signal handler may touch: plain memory set up before the handlers are installed,
// so the handler itself only calls async-signal-safe functions (tcsetattr, write, unlink,
// rmdir, signal, raise).
nonisolated(unsafe) private var savedModes = termios()
nonisolated(unsafe) private var hasSavedModes = false
nonisolated(unsafe) private var resetBytes: UnsafeMutableBufferPointer<UInt8>?
nonisolated(unsafe) private var pathsToRemove: [UnsafeMutablePointer<CChar>] = []

private let guardedSignals: [Int32] = [
  SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGILL, SIGABRT, SIGBUS, SIGFPE,
]

private func restoreTerminalAndDie(_ signal: Int32) {
  if hasSavedModes { tcsetattr(STDIN_FILENO, TCSANOW, &savedModes) }
  if let resetBytes, let base = resetBytes.baseAddress {
    _ = write(STDOUT_FILENO, base, resetBytes.count)
  }
  for path in pathsToRemove where unlink(path) != 0 { rmdir(path) }
  Glibc.signal(signal, SIG_DFL)
  raise(signal)
}

/// Owns the terminal's cooked mode while curses runs: saves it, restores it from a signal
/// handler on Ctrl-C, SIGTERM, SIGHUP or a crash (then dies of the same signal), and sends
/// stderr to a log file so stray messages do not scribble over the screen.
final class TerminalGuard {
  private var savedStandardError: Int32 = -1
  let logPath: String

  init(removeOnSignal paths: [String] = []) {
    if tcgetattr(STDIN_FILENO, &savedModes) == 0 { hasSavedModes = true }
    pathsToRemove = paths.compactMap { strdup($0) }
    logPath = Self.logFilePath()
    let log = open(logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
    if log >= 0 {
      savedStandardError = dup(STDERR_FILENO)
      dup2(log, STDERR_FILENO)
      close(log)
    }
    // Installed before curses starts, so curses leaves SIGINT and SIGTERM to us.
    for signal in guardedSignals { Glibc.signal(signal, restoreTerminalAndDie) }
    // A parent may hand down a mask that blocks them (a thread pool's thread spawning us
    // does): unblocked here, so a handler can fire at all and SIGTERM is not left pending.
    var deliverable = sigset_t()
    sigemptyset(&deliverable)
    for signal in guardedSignals { sigaddset(&deliverable, signal) }
    pthread_sigmask(SIG_UNBLOCK, &deliverable, nil)
  }

  /// What the handler writes after restoring the modes (leave the alternate screen, show
  /// the cursor), known once curses has read the terminal's capabilities.
  var resetSequence: [UInt8] = [] {
    didSet {
      let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: resetSequence.count)
      _ = buffer.initialize(from: resetSequence)
      let old = resetBytes
      resetBytes = buffer
      old?.deallocate()
    }
  }

  /// Back to normal after `endwin`: default signal handling and stderr on the terminal.
  func release() {
    for signal in guardedSignals { Glibc.signal(signal, SIG_DFL) }
    if savedStandardError >= 0 {
      dup2(savedStandardError, STDERR_FILENO)
      close(savedStandardError)
      savedStandardError = -1
    }
    for path in pathsToRemove { free(path) }
    pathsToRemove = []
  }

  static func logFilePath() -> String {
    if let state = Environment.value("XDG_STATE_HOME"), !state.isEmpty {
      let folder = state + "/voucher-pos"
      if (try? FileManager.default.createDirectory(
        atPath: folder, withIntermediateDirectories: true)) != nil
      {
        return folder + "/voucher-pos.log"
      }
    }
    return "/tmp/voucher-pos-\(getuid()).log"
  }
}
