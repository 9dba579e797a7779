import Foundation
import TestSupport
import Testing

@testable import voucher_engine

/// Every `--help` must read on an 80-column terminal: a line wider than that wraps at the
/// terminal's edge and breaks the option and description columns.
@Suite("help width")
struct HelpWidthTests {
  static let width = 80

  /// The program's whole output (stdout and stderr together) and its exit status.
  private func run(_ program: String, _ arguments: [String]) throws -> (
    status: Int32, output: String
  ) {
    let process = Process()
    process.executableURL = try builtProgram(program)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    process.environment = ["LANG": "C.UTF-8", "SWIFT_BACKTRACE": "interactive=no"]
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  /// The commands the top-level help lists: each entry of its "Commands:" section starts
  /// two spaces in, with the command's words (`seed`, `customers find`) before its first
  /// option or placeholder; continuation lines are indented further.
  static func commands(inOverview overview: String) -> [String] {
    let lines = overview.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(of: "Commands:") else { return [] }
    var commands: [String] = []
    for line in lines[(start + 1)...] {
      if line.isEmpty { break }
      guard line.hasPrefix("  "), line.dropFirst(2).first != " " else { continue }
      let words = line.split(separator: " ").prefix { word in
        word.allSatisfy { $0.isLowercase || $0 == "-" } && word.first != "-"
      }
      if !words.isEmpty { commands.append(words.joined(separator: " ")) }
    }
    return commands
  }

  @Test("every --help of voucher-pos, voucher-bench and voucher-engine fits 80 columns")
  func everyHelpFits() throws {
    let overview = try run("voucher-engine", ["--help"])
    #expect(overview.status == 0, "\(overview.output)")
    let commands = Self.commands(inOverview: overview.output)
    // The section must list exactly the commands the program dispatches, so that none
    // escapes this test.
    #expect(
      Set(commands) == Set(EngineCommand.commands.keys),
      "commands found in voucher-engine --help: \(commands)")

    var helps: [(name: String, arguments: [String], program: String)] = [
      ("voucher-pos --help", ["--help"], "voucher-pos"),
      ("voucher-bench --help", ["--help"], "voucher-bench"),
      ("voucher-engine --help", ["--help"], "voucher-engine"),
    ]
    for command in commands {
      let words = command.split(separator: " ").map(String.init)
      helps.append(("voucher-engine \(command) --help", words + ["--help"], "voucher-engine"))
    }
    for help in helps {
      let result = try run(help.program, help.arguments)
      #expect(result.status == 0, "\(help.name) exited \(result.status): \(result.output)")
      #expect(!result.output.isEmpty, "\(help.name) printed nothing")
      let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
      for (index, line) in lines.enumerated() where line.count > Self.width {
        Issue.record(
          "\(help.name): line \(index + 1) has \(line.count) characters: \(line)")
      }
    }
  }

  @Test("a two-word command's first word: with --help or -h its help, alone what it needs")
  func firstWordOfTwoWordCommands() throws {
    for (word, verb) in [("customers", "find"), ("vouchers", "list"), ("voucher", "show")] {
      for flag in ["--help", "-h"] {
        let help = try run("voucher-engine", [word, flag])
        #expect(help.status == 0, "\(word) \(flag): \(help.output)")
        #expect(help.output.contains("voucher-engine \(word) \(verb)"), "\(help.output)")
      }
      let alone = try run("voucher-engine", [word])
      #expect(alone.status == 2)
      #expect(alone.output.contains("needs a command: \(word) \(verb)"), "\(alone.output)")
    }
  }
}
