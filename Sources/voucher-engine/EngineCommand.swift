import Foundation
import VoucherEngine

/// The `voucher-engine` subcommands: dispatch, shared options and error reporting.
enum EngineCommand {
  static let overview = """
    voucher-engine: the voucher engine's command line, for scripts and support.

    Usage: voucher-engine COMMAND [options]

    Commands:
      seed --demo [--force]             load the demo customers and vouchers
      customers find QUERY              find contacts by name, email, phone,
                                        member number or id
      vouchers list --customer REF      a contact's vouchers
                                        [--status available|redeemed|expired|all]
      voucher show CODE                 one voucher with its status
      validate CODE... --item SKU:QTY:PRICE [...] [--customer REF]
      redeem CODE... --order ORDER_ID --item SKU:QTY:PRICE [...] [--customer REF]
      reactivate CODE --reason TEXT [--by NAME]
      redemptions [--code C] [--customer REF] [--order O]
      redeem-loop CODE --order-prefix P --count N --item ... (soak and crash checks)
      close-attempt KEY                 the fence: what a redeem attempt made, or
                                        close it
      issue --customers FILE.csv --batch NAME --percent P|--amount A|--gift A ...
                                        one personal code per customer, resumable
      export --format csv|voyado-xml --out FILE [--status new|used|all]
             [--since DATE]
      import --json FILE                customers and vouchers in the catalog layout
      serve [--listen HOST:PORT]        the REST API (Voucherify-compatible) over
                                        this database
      migrate --from F.sqlite --to URL  move a store to PostgreSQL (counts and
                                        sums checked)
      keys add|list|revoke              API keys for serve:
                                        --role cashier|support|admin --name N
      staff add|list|revoke             staff PINs for support work at a till:
                                        --name N --role R

    Options for every command:
      --db PATH    the database (default $XDG_DATA_HOME/voucher-pos/engine.sqlite),
                   or a PostgreSQL URL: postgresql://USER@HOST/DBNAME (the password
                   from PGPASSFILE or PGPASSWORD, never in the URL)
      --json       machine-readable output
      --help       help for the command

    Exit status: 0 done, 1 failure (database, file), 2 usage error, 3 refused by a
    voucher rule (the reason key and sentence are printed; in --json output the key
    is "reason").
    """

  static func run(_ arguments: [String]) -> Int32 {
    guard let name = arguments.first, name != "--help", name != "-h", name != "help" else {
      Output.line(overview)
      return arguments.isEmpty ? exitUsage : exitDone
    }
    var rest = Array(arguments.dropFirst())
    var commandName = name
    // Two-word commands: `customers find`, `vouchers list`, `voucher show`.
    if ["customers", "vouchers", "voucher"].contains(name), let verb = rest.first,
      !verb.hasPrefix("-")
    {
      commandName += " " + verb
      rest.removeFirst()
    }
    guard let command = commands[commandName] else {
      // A two-word command's first word alone: its commands' help, or what it needs.
      let group = commands.keys.filter { $0.hasPrefix(name + " ") }.sorted()
      if commandName == name, !group.isEmpty {
        if rest.contains("--help") || rest.contains("-h") {
          Output.line(group.compactMap { commands[$0]?.help }.joined(separator: "\n"))
          return exitDone
        }
        Output.error(
          "“\(name)” needs a command: \(group.joined(separator: ", ")) (see voucher-engine \(name) --help)"
        )
        return exitUsage
      }
      Output.error("unknown command “\(commandName)” (see voucher-engine --help)")
      return exitUsage
    }
    if rest.contains("--help") || rest.contains("-h") {
      Output.line(command.help)
      return exitDone
    }
    var spec = command.spec
    spec.options.insert("db")
    spec.flags.insert("json")
    do {
      let parsed = try Arguments(rest, spec: spec)
      return try command.run(Context(arguments: parsed))
    } catch let error as UsageError {
      Output.error(error.message)
      return exitUsage
    } catch let refusal as Refusal {
      return report(refusal, json: rest.contains("--json"))
    } catch let error as StoreError {
      Output.error(error.description)
      return exitFailure
    } catch let error as CatalogError {
      Output.error(error.message)
      return exitFailure
    } catch {
      Output.error("\(error)")
      return exitFailure
    }
  }

  static func report(_ refusal: Refusal, json: Bool) -> Int32 {
    let sentence = CashierWords.sentence(for: refusal.reason)
    if case .invalidPayload = refusal.reason {
      Output.error(sentence)
      return exitUsage
    }
    if json {
      Output.json([
        "result": "refused", "code": Output.optional(refusal.code), "reason": refusal.reason.key,
        "message": sentence,
      ])
    } else {
      let subject = refusal.code.map { "\($0): " } ?? ""
      Output.line("refused: \(subject)\(sentence) [\(refusal.reason.key)]")
    }
    return exitRefused
  }

  static let commands: [String: Command] = Dictionary(
    uniqueKeysWithValues: [
      SeedCommand.command, FindCustomersCommand.command, ListVouchersCommand.command,
      ShowVoucherCommand.command, ValidateCommand.command, RedeemCommand.command,
      ReactivateCommand.command, RedemptionsCommand.command, RedeemLoopCommand.command,
      CloseAttemptCommand.command,
      IssueCommand.command, ExportCommand.command, ImportCommand.command,
      ServeCommand.command, MigrateCommand.command,
      KeysCommand.command, StaffCommand.command,
    ].map { ($0.name, $0) })
}

/// One subcommand: its name, help text, options and body.
struct Command: Sendable {
  let name: String
  let help: String
  let spec: OptionSpec
  let run: @Sendable (Context) throws -> Int32
}

/// What every command body gets: its arguments and a lazily opened engine.
struct Context {
  let arguments: Arguments

  var json: Bool { arguments.flag("json") }

  /// `--db` (a SQLite path or a `postgresql://` URL), or
  /// `$XDG_DATA_HOME/voucher-pos/engine.sqlite` (`~/.local/share/…` by default).
  var databasePath: String {
    get throws {
      guard let location = arguments.value("db") else {
        return try VoucherEngine.defaultDatabasePath()
      }
      if PostgreSQLStore.isLocation(location) {
        do {
          try PostgreSQLStore.checkLocation(location)
        } catch let error as StoreError {
          guard case .cannotOpen(_, let detail) = error else { throw error }
          throw UsageError("--db: \(detail)")
        }
      }
      return location
    }
  }

  func engine() throws -> VoucherEngine {
    try VoucherEngine(path: try databasePath)
  }

  /// `--item SKU:QTY:PRICE`, at least one.
  func items() throws -> [CartItem] {
    let texts = arguments.all("item")
    guard !texts.isEmpty else { throw UsageError("at least one --item SKU:QTY:PRICE is required") }
    return try texts.map { text in
      do { return try CartItem.parse(text) } catch let reason as Reason {
        guard case .invalidPayload(let detail) = reason else {
          throw Refusal(code: nil, reason: reason)
        }
        throw UsageError("--item \(text): \(detail)")
      }
    }
  }

  /// Positional voucher codes, at least one. `CODE=AMOUNT` names a gift card amount.
  func codes() throws -> [CodeRequest] {
    guard !arguments.positional.isEmpty else { throw UsageError("give at least one voucher code") }
    return try arguments.positional.map { text in
      let parts = text.split(separator: "=", maxSplits: 1)
      guard parts.count == 2 else { return CodeRequest(text) }
      do {
        return CodeRequest(String(parts[0]), giftCredits: try Money.parse(String(parts[1])))
      } catch {
        throw UsageError("\(text): \(error)")
      }
    }
  }
}
