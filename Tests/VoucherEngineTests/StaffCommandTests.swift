import CPseudoTerminal
import Foundation
import Testing

@testable import VoucherEngine

@Suite("staff command")
struct StaffCommandTests {
  @Test("add from a PIN file, list, revoke; a PIN on the command line is refused")
  func addListRevoke() throws {
    let folder = try TemporaryFolder()
    let db = folder.path("engine.sqlite")
    let pinFile = folder.path("pin")
    try Data("482913\n".utf8).write(to: URL(fileURLWithPath: pinFile))

    for refused in [["--pin", "482913"], ["--pin=482913"]] {
      let result = try EngineProcess.run(
        ["staff", "add", "--name", "Maja", "--role", "support", "--db", db] + refused)
      #expect(result.status == 2)
      #expect(result.error.contains("never given on the command line"), "\(result.error)")
    }
    let added = try EngineProcess.run(
      ["staff", "add", "--name", "Maja", "--role", "support", "--pin-file", pinFile, "--db", db])
    #expect(added.status == 0, "\(added.error)")
    #expect(added.output == "Added Maja (support).\n")
    let again = try EngineProcess.run(
      ["staff", "add", "--name", "maja", "--role", "cashier", "--pin-file", pinFile, "--db", db])
    #expect(again.status == 2)

    let badRole = try EngineProcess.run(
      ["staff", "add", "--name", "Bo", "--role", "admin", "--pin-file", pinFile, "--db", db])
    #expect(badRole.status == 2)
    #expect(badRole.error.contains("--role must be cashier or support"))
    try Data("12\n".utf8).write(to: URL(fileURLWithPath: folder.path("short")))
    let shortPIN = try EngineProcess.run(
      [
        "staff", "add", "--name", "Bo", "--role", "support", "--pin-file", folder.path("short"),
        "--db", db,
      ])
    #expect(shortPIN.status == 2)
    #expect(shortPIN.error.contains("4–12 digits"))
    let noTerminal = try EngineProcess.run([
      "staff", "add", "--name", "Bo", "--role", "support", "--db", db,
    ])
    #expect(noTerminal.status == 2)
    #expect(noTerminal.error.contains("--pin-file"))

    let list = try EngineProcess.run(["staff", "list", "--json", "--db", db])
    #expect(list.status == 0)
    let rows = try #require(
      try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]])
    #expect(rows.map { $0["name"] as? String } == ["Maja"])
    #expect(rows.first?["role"] as? String == "support")
    #expect(!list.output.contains("482913"))

    let engine = try VoucherEngine(path: db)
    #expect(try engine.verifyStaffPIN(name: "Maja", pin: "482913")?.role == .support)

    #expect(try EngineProcess.run(["staff", "revoke", "--name", "Maja", "--db", db]).status == 0)
    #expect(try EngineProcess.run(["staff", "revoke", "--name", "Maja", "--db", db]).status == 1)
    #expect(try EngineProcess.run(["staff", "list", "--db", db]).output.contains("Maja"))
    #expect(try EngineProcess.run(["staff", "fire", "--db", db]).status == 2)
    let help = try EngineProcess.run(["staff", "--help"])
    #expect(help.status == 0)
    #expect(help.output.contains("After 5 wrong PINs"))
  }

  @Test("add asks the PIN twice on the terminal without echoing it")
  func terminalPrompt() throws {
    let folder = try TemporaryFolder()
    let db = folder.path("engine.sqlite")
    for (second, expectedStatus) in [("4829130", Int32(2)), ("482913", Int32(0))] {
      let (status, screen) = try runOnTerminal(
        ["staff", "add", "--name", "Maja", "--role", "support", "--db", db],
        answers: ["482913", second])
      #expect(status == expectedStatus, "\(screen)")
      #expect(screen.contains("PIN for Maja"), "\(screen)")
      #expect(screen.contains("The same PIN again"), "\(screen)")
      #expect(!screen.contains("48291"), "the PIN was echoed: \(screen)")
      if expectedStatus == 2 {
        #expect(screen.contains("the two PINs differ"), "\(screen)")
        #expect(try VoucherEngine(path: db).staffMembers().isEmpty)
      }
    }
    #expect(try VoucherEngine(path: db).verifyStaffPIN(name: "Maja", pin: "482913") != nil)
  }

  /// Runs voucher-engine with a pseudo-terminal as its input, output and errors; types each
  /// answer after the next prompt (a line ending in ": ") appears. Returns what it showed.
  private func runOnTerminal(_ arguments: [String], answers: [String]) throws
    -> (status: Int32, screen: String)
  {
    var name = [CChar](repeating: 0, count: 128)
    let master = cpt_open_master(&name, name.count)
    try #require(master >= 0, "no pseudo-terminal available")
    defer { close(master) }
    let path = String(
      decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let slave = try #require(FileHandle(forUpdatingAtPath: path))
    let process = Process()
    process.executableURL = try EngineProcess.executable
    process.arguments = arguments
    process.standardInput = slave
    process.standardOutput = slave
    process.standardError = slave
    try process.run()
    try? slave.close()
    defer {
      if process.isRunning {
        process.terminate()
        process.waitUntilExit()
      }
    }
    _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    var output = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    func drain() {
      let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
      if count > 0 { output.append(contentsOf: buffer[0..<count]) } else { usleep(2_000) }
    }
    func prompts() -> Int {
      String(decoding: output, as: UTF8.self).components(separatedBy: ": ").count - 1
    }
    let deadline = Date().addingTimeInterval(30)
    for (index, answer) in answers.enumerated() {
      while prompts() <= index, Date() < deadline { drain() }
      _ = (answer + "\n").withCString { write(master, $0, strlen($0)) }
    }
    while process.isRunning, Date() < deadline { drain() }
    for _ in 0..<5 { drain() }
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
  }
}
