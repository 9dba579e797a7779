import Foundation
import VoucherEngine

enum StaffCommand {
  static let command = Command(
    name: "staff",
    help: """
      Usage: voucher-engine staff add --name NAME --role cashier|support
               [--pin-file PATH] [--json]
             voucher-engine staff list [--json]
             voucher-engine staff revoke --name NAME

      Staff PINs for a till on this database: the support role (reactivations, voids)
      asks for the PIN of a support member once per session. `add` asks the PIN twice
      on the terminal without showing it, or reads it from the first line of
      --pin-file (for scripts). A PIN is 4–12 digits and is never given on the command
      line, where `ps` and shell history would keep it. Only a salted SHA-256 of it is
      stored. Names are unique, ASCII case ignored; a revoked name may be added again.

      After 5 wrong PINs in a row for one name, no PIN is checked for that
      name for 60 s; the count is kept in the database, so restarting the till
      does not reset it.
      Every command also takes --db PATH.
      """,
    spec: OptionSpec(
      options: ["role", "name", "pin-file"],
      refused: [
        "pin":
          "a PIN is never given on the command line (ps and shell history keep it): type it when asked, or use --pin-file PATH"
      ])
  ) { context in
    let positional = context.arguments.positional
    switch positional.first {
    case "add":
      guard positional.count == 1 else { throw UsageError("staff add takes no other arguments") }
      let name = try context.arguments.required("name")
      let roleText = try context.arguments.required("role")
      guard let role = StaffRole(rawValue: roleText) else {
        throw UsageError("--role must be cashier or support")
      }
      let pin: String
      if let path = context.arguments.value("pin-file") {
        pin = try readPINFile(path)
      } else {
        pin = try PINPrompt.askTwice(for: name)
      }
      guard VoucherEngine.isWellFormedStaffPIN(pin) else {
        throw UsageError("a PIN must be 4–12 digits")
      }
      let member = try context.engine().addStaff(name: name, role: role, pin: pin)
      if context.json {
        Output.json(["name": member.name, "role": member.role.rawValue])
      } else {
        Output.line("Added \(member.name) (\(member.role.rawValue)).")
      }
      return exitDone
    case "list":
      guard positional.count == 1 else { throw UsageError("staff list takes no other arguments") }
      let members = try context.engine().staffMembers()
      if context.json {
        Output.json(
          members.map {
            [
              "name": $0.name, "role": $0.role.rawValue, "created_at": Output.date($0.createdAt),
              "revoked_at": Output.date($0.revokedAt),
            ] as [String: Any]
          })
      } else if members.isEmpty {
        Output.line("No staff.")
      } else {
        let rows =
          [["NAME", "ROLE", "CREATED", "REVOKED"]]
          + members.map {
            [
              $0.name, $0.role.rawValue, $0.createdAt.formatted(.iso8601),
              $0.revokedAt?.formatted(.iso8601) ?? "-",
            ]
          }
        Output.table(rows).forEach { Output.line($0) }
      }
      return exitDone
    case "revoke":
      guard positional.count == 1 else {
        throw UsageError("give the name as --name NAME: staff revoke --name NAME")
      }
      let name = try context.arguments.required("name")
      guard try context.engine().revokeStaff(name: name) else {
        Output.error("no live member of staff named \(name)")
        return exitFailure
      }
      if context.json {
        Output.json(["name": name, "revoked": true])
      } else {
        Output.line("Revoked \(name).")
      }
      return exitDone
    default:
      throw UsageError(
        "say staff add, staff list or staff revoke (see voucher-engine staff --help)")
    }
  }

  /// The PIN on the first line of a file; surrounding spaces and the line end dropped.
  private static func readPINFile(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw UsageError("cannot read the PIN file \(path)")
    }
    let text = String(decoding: data.prefix(256), as: UTF8.self)
    let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first
    return String(line ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
