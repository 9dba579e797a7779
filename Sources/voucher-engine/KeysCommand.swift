import Foundation
import VoucherEngine

enum KeysCommand {
  static let command = Command(
    name: "keys",
    help: """
      Usage: voucher-engine keys add --role cashier|support|admin --name NAME [--json]
             voucher-engine keys list [--json]
             voucher-engine keys revoke APP_ID

      API keys for `voucher-engine serve`. `add` prints the app id and the token once:
      only a salted hash of the token is stored, so it cannot be shown again. Roles:
      cashier (read, validate, redeem), support (+ rollback, reactivate), admin
      (+ create, change and delete vouchers, gift balances, customers). A revoked key
      stops working at once.
      Every command also takes --db PATH.
      """,
    spec: OptionSpec(options: ["role", "name"])
  ) { context in
    let positional = context.arguments.positional
    switch positional.first {
    case "add":
      guard positional.count == 1 else { throw UsageError("keys add takes no other arguments") }
      let roleText = try context.arguments.required("role")
      guard let role = APIRole(rawValue: roleText) else {
        throw UsageError("--role must be cashier, support or admin")
      }
      let issued = try context.engine().addAPIKey(
        name: try context.arguments.required("name"), role: role)
      if context.json {
        Output.json(["app_id": issued.key.appId, "token": issued.token, "role": role.rawValue])
      } else {
        Output.line("app id: \(issued.key.appId)")
        Output.line("token:  \(issued.token)")
        Output.line("role:   \(role.rawValue)")
        Output.line("The token is shown only now; store it where the till reads it (a file).")
      }
      return exitDone
    case "list":
      let keys = try context.engine().apiKeys()
      if context.json {
        Output.json(
          keys.map {
            [
              "app_id": $0.appId, "name": $0.name, "role": $0.role.rawValue,
              "created_at": Output.date($0.createdAt), "revoked_at": Output.date($0.revokedAt),
            ] as [String: Any]
          })
      } else if keys.isEmpty {
        Output.line("No keys.")
      } else {
        let rows =
          [["APP ID", "ROLE", "NAME", "CREATED", "REVOKED"]]
          + keys.map {
            [
              $0.appId, $0.role.rawValue, $0.name, $0.createdAt.formatted(.iso8601),
              $0.revokedAt?.formatted(.iso8601) ?? "-",
            ]
          }
        Output.table(rows).forEach { Output.line($0) }
      }
      return exitDone
    case "revoke":
      guard positional.count == 2 else { throw UsageError("give one app id: keys revoke APP_ID") }
      guard try context.engine().revokeAPIKey(appId: positional[1]) else {
        Output.error("no live key with the app id \(positional[1])")
        return exitFailure
      }
      if context.json {
        Output.json(["app_id": positional[1], "revoked": true])
      } else {
        Output.line("Revoked \(positional[1]).")
      }
      return exitDone
    default:
      throw UsageError("say keys add, keys list or keys revoke (see voucher-engine keys --help)")
    }
  }
}
