import Foundation

/// Asks for a PIN on the terminal with echo off, the way `passwd` does: standard input must
/// be a terminal, the prompt goes to standard error (standard output may be JSON), and the
/// terminal's settings come back however the prompt ends, Ctrl-C included.
enum PINPrompt {
  /// Longest line read; a PIN is at most 12 digits, the rest is there to say "too long".
  private static let maximumLength = 64

  /// The PIN typed twice, or a usage error when there is no terminal or the two differ.
  static func askTwice(for name: String) throws -> String {
    guard isatty(STDIN_FILENO) == 1 else {
      throw UsageError(
        "standard input is not a terminal to ask the PIN on: give --pin-file PATH instead")
    }
    var original = termios()
    guard tcgetattr(STDIN_FILENO, &original) == 0 else {
      throw UsageError("cannot read the terminal's settings to ask the PIN")
    }
    savedTerminal = original
    var silent = original
    silent.c_lflag &= ~tcflag_t(ECHO)
    // The Enter still moves to a new line, so the next prompt does not run into this one.
    silent.c_lflag |= tcflag_t(ECHONL)
    let previousInterrupt = signal(SIGINT, restoreTerminalAndDie)
    let previousTerminate = signal(SIGTERM, restoreTerminalAndDie)
    let previousHangUp = signal(SIGHUP, restoreTerminalAndDie)
    defer {
      _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
      signal(SIGINT, previousInterrupt)
      signal(SIGTERM, previousTerminate)
      signal(SIGHUP, previousHangUp)
    }
    // TCSAFLUSH: anything typed before the prompt (while it still echoed) is dropped.
    guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent) == 0 else {
      throw UsageError("cannot turn the terminal's echo off to ask the PIN")
    }
    let first = try ask("PIN for \(name) (4–12 digits, not shown): ")
    let second = try ask("The same PIN again: ")
    guard first == second else { throw UsageError("the two PINs differ; nothing was changed") }
    return first
  }

  private static func ask(_ prompt: String) throws -> String {
    FileHandle.standardError.write(Data(prompt.utf8))
    var line: [UInt8] = []
    var byte: UInt8 = 0
    while true {
      let count = read(STDIN_FILENO, &byte, 1)
      if count < 0, errno == EINTR { continue }
      guard count == 1 else { throw UsageError("the terminal closed before a PIN was typed") }
      if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
      if line.count < maximumLength { line.append(byte) }
    }
    return String(decoding: line, as: UTF8.self)
  }
}

/// The terminal's settings before the prompt, for the signal handler to put back. Written
/// once before the handler is installed and only read by it.
nonisolated(unsafe) private var savedTerminal = termios()

/// Puts the terminal's echo back and dies of the same signal: async-signal-safe calls only.
private func restoreTerminalAndDie(_ signalNumber: Int32) {
  _ = tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal)
  _ = write(STDERR_FILENO, "\n", 1)
  signal(signalNumber, SIG_DFL)
  raise(signalNumber)
}
