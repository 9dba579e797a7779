import Foundation
import VoucherEngine

/// A usage mistake: printed as one line, exit status 2.
struct UsageError: Error {
  let message: String
  init(_ message: String) { self.message = message }
}

/// The options one subcommand accepts: flags (no value) and options (one value each;
/// `repeatable` ones may be given several times).
struct OptionSpec: Sendable {
  var flags: Set<String> = []
  var options: Set<String> = []
  var repeatable: Set<String> = []
  /// Options refused with their own message, before anything else is read (a secret that
  /// must never be typed on a command line, where `ps` and shell history keep it).
  var refused: [String: String] = [:]
}

/// Parsed command-line arguments of one subcommand.
struct Arguments {
  var positional: [String] = []
  private var values: [String: [String]] = [:]
  private var flags: Set<String> = []

  /// Parses `arguments` against `spec`. `--name value` and `--name=value` both work; `--`
  /// ends options.
  init(_ arguments: [String], spec: OptionSpec) throws {
    var index = 0
    var optionsEnded = false
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      guard !optionsEnded, argument.hasPrefix("--") else {
        try Self.check(argument, "argument “\(SafeText.visible(argument, limit: 40))”")
        positional.append(argument)
        continue
      }
      if argument == "--" {
        optionsEnded = true
        continue
      }
      var name = String(argument.dropFirst(2))
      var inlineValue: String?
      if let equals = name.firstIndex(of: "=") {
        inlineValue = String(name[name.index(after: equals)...])
        name = String(name[..<equals])
      }
      if let message = spec.refused[name] { throw UsageError(message) }
      if spec.flags.contains(name) {
        guard inlineValue == nil else { throw UsageError("--\(name) takes no value") }
        flags.insert(name)
      } else if spec.options.contains(name) || spec.repeatable.contains(name) {
        let value: String
        if let inlineValue {
          value = inlineValue
        } else {
          guard index < arguments.count else { throw UsageError("--\(name) needs a value") }
          value = arguments[index]
          index += 1
        }
        try Self.check(value, "--\(name)", allowingLineBreaks: Self.lineBreakOptions.contains(name))
        if values[name] != nil, !spec.repeatable.contains(name) {
          throw UsageError("--\(name) is given twice")
        }
        values[name, default: []].append(value)
      } else {
        throw UsageError("unknown option --\(name) (see --help)")
      }
    }
  }

  /// Options whose values may hold line breaks: the free-text fields.
  static let lineBreakOptions: Set<String> = ["reason", "metadata"]

  /// A control character in an argument is a usage error naming it: stored, it would be cut
  /// at U+0000 or rewrite the terminal of whoever prints it.
  private static func check(_ text: String, _ label: String, allowingLineBreaks: Bool = false)
    throws
  {
    if let scalar = SafeText.firstControl(in: text, allowingLineBreaks: allowingLineBreaks) {
      throw UsageError(SafeText.controlMessage(field: label, scalar))
    }
  }

  func flag(_ name: String) -> Bool { flags.contains(name) }
  func value(_ name: String) -> String? { values[name]?.last }
  func all(_ name: String) -> [String] { values[name] ?? [] }

  /// The option's value, or a usage error saying it is required.
  func required(_ name: String) throws -> String {
    guard let value = value(name), !value.isEmpty else { throw UsageError("--\(name) is required") }
    return value
  }

  /// An integer option within `range`.
  func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
    guard let text = value(name) else { return nil }
    guard let number = Int(text), range.contains(number) else {
      throw UsageError(
        "--\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
    }
    return number
  }
}
