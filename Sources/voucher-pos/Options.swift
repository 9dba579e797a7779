import CashierUI
import Foundation
import VoucherEngine

/// A command line that cannot be run as written: exit code 2.
struct UsageError: Error {
  let message: String
}

/// The flags of `voucher-pos`.
struct Options: Equatable {
  enum Parsed: Equatable {
    case run(Options)
    case help
    case version
  }

  var demo = false
  var database: String?
  var role = Role.cashier
  var terminal = "T01"
  var cashier =
    Environment.value("USER").flatMap { $0.isEmpty ? nil : $0 }
    ?? "cashier"
  var redeemTimeout: TimeInterval = 60
  var endpoint: String?
  var appId: String?
  var tokenFile: String?
  var journal: String?
  var maxSale: Int64 = 100_000_000
  var voidWindowMinutes = 10
  var receipts: String?
  var receiptWidth = 42
  var prints = false
  var api = API.engine

  /// The dialect an `--endpoint` speaks; one case per client the till has.
  enum API: String, Equatable, CaseIterable {
    /// `voucher-engine serve` (Voucherify's API with our fence).
    case engine
    /// Voyado Engage v3.
    case engage
    /// Vauchar: --app-id is the merchant id, --token-file holds the API key.
    case vauchar
    /// The plain voucher API: --token-file holds the Bearer token; no app id.
    case vouchersV1 = "vouchers-v1"
  }

  static let help = """
    voucher-pos: the cashier's terminal for vouchers

    USAGE: voucher-pos [--demo | --db PATH | --endpoint URL] [options]

    OPTIONS:
      --demo                  Run on a fresh throwaway database seeded with
                              demo data; it is deleted on exit and the
                              status bar says DEMO.
      --db PATH               The engine database (default:
                              $XDG_DATA_HOME/voucher-pos/engine.sqlite, as
                              voucher-engine).
      --endpoint URL          A REST endpoint (voucher-engine serve, or a
                              Voucherify-compatible server) instead of a local
                              database. Also $VOUCHER_POS_ENDPOINT.
      --api engine|engage|vauchar|vouchers-v1
                              What the endpoint speaks: our engine's API (default);
                              Voyado Engage v3 (key in --token-file: the tenant's
                              apikey, or APP_ID:TOKEN for voucher-engine serve);
                              Vauchar (--app-id is the merchant id, --token-file
                              holds the API key); the plain voucher API (its base
                              URL with the prefix, serve: http://HOST:PORT/plain/v1;
                              --token-file holds the Bearer token; no app id).
      --app-id ID             The endpoint key's app id (or $VOUCHER_POS_APP_ID).
      --token-file PATH       A file holding the key's token (or
                              $VOUCHER_POS_APP_TOKEN); never give a token on the
                              command line, where ps shows it.
      --role cashier|support  Support may also reactivate used vouchers and void any
                              sale (default: cashier); on a local database only
                              after a support member's PIN
                              (voucher-engine staff add), over REST as far as the
                              key's own role allows.
      --terminal ID           This till's id, recorded with every redemption
                              (default: T01).
      --cashier NAME          Who is at the till (default: $USER).
      --redeem-timeout SECONDS
                              How long a redeem may take before its outcome is
                              checked instead (default: 60).
      --receipts DIR          Where a plain-text receipt of each sale is written
                              (default: $XDG_STATE_HOME/voucher-pos/receipts; with
                              --demo, beside the throwaway database). A voided sale
                              gets a VOID copy.
      --receipt-width 42|48   The receipt printer's columns (default: 42).
      --print                 Also print each receipt with the system's lp.
      --void-window MINUTES   A cashier may void this till's last sale within this
                              many minutes (default: 10); support may void any.
      --max-sale AMOUNT       A sale above this subtotal asks before it is redeemed
                              (default: 1000000.00).
      --journal PATH          Where each redeem attempt is written (and synced)
                              before it is sent, so that one left unknown by a crash
                              or a quit is resolved at the next start (default:
                              $XDG_STATE_HOME/voucher-pos/journal-TERMINAL.jsonl;
                              with --demo, beside the throwaway database). One till
                              at a time: a second one on the same journal is
                              refused.
      --help                  Show this help.
      --version               Show the version.

    KEYS: F1 or ? shows every key inside the program; F10 or Ctrl-Q quits.
    NO_COLOR set in the environment turns colours off.

    EXIT CODES: 0 done, 1 failure (database, terminal, journal in use), 2 wrong
    usage, 3 quit while a sale's outcome was not known (it stays in the journal for
    the next start).
    """

  static func parse(_ arguments: [String]) throws(UsageError) -> Parsed {
    var options = Options()
    var rest = arguments[...]
    func value(_ flag: String, inline: String?) throws(UsageError) -> String {
      if let inline { return inline }
      guard let next = rest.popFirst(), !next.hasPrefix("--") else {
        throw UsageError(message: "\(flag) needs a value")
      }
      return next
    }
    while let argument = rest.popFirst() {
      let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
      let flag = parts[0]
      let inline = parts.count == 2 ? parts[1] : nil
      switch flag {
      case "--help", "-h": return .help
      case "--version": return .version
      case "--demo": options.demo = true
      case "--db": options.database = try value(flag, inline: inline)
      case "--endpoint": options.endpoint = try value(flag, inline: inline)
      case "--app-id": options.appId = try value(flag, inline: inline)
      case "--token-file": options.tokenFile = try value(flag, inline: inline)
      case "--journal": options.journal = try value(flag, inline: inline)
      case "--receipts": options.receipts = try value(flag, inline: inline)
      case "--print": options.prints = true
      case "--receipt-width":
        let text = try value(flag, inline: inline)
        guard let width = Int(text), width == 42 || width == 48 else {
          throw UsageError(message: "--receipt-width must be 42 or 48, not “\(text)”")
        }
        options.receiptWidth = width
      case "--void-window":
        let text = try value(flag, inline: inline)
        guard let minutes = Int(text), (0...1440).contains(minutes) else {
          throw UsageError(message: "--void-window must be minutes from 0 to 1440, not “\(text)”")
        }
        options.voidWindowMinutes = minutes
      case "--max-sale":
        let text = try value(flag, inline: inline)
        do {
          options.maxSale = try Money.parse(text)
        } catch {
          throw UsageError(message: "--max-sale: \(error.description)")
        }
      case "--api":
        let text = try value(flag, inline: inline)
        guard let api = API(rawValue: text) else {
          throw UsageError(
            message:
              "--api must be \(API.allCases.map(\.rawValue).joined(separator: ", ")), not “\(text)”"
          )
        }
        options.api = api
      case "--token", "--app-token":
        throw UsageError(
          message:
            "a token on the command line is visible to every user (ps); use --token-file or VOUCHER_POS_APP_TOKEN"
        )
      case "--terminal": options.terminal = try value(flag, inline: inline)
      case "--cashier": options.cashier = try value(flag, inline: inline)
      case "--role":
        let text = try value(flag, inline: inline)
        guard let role = Role(rawValue: text) else {
          throw UsageError(message: "--role must be cashier or support, not “\(text)”")
        }
        options.role = role
      case "--redeem-timeout":
        let text = try value(flag, inline: inline)
        guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
          throw UsageError(
            message: "--redeem-timeout must be seconds from 1 to 3600, not “\(text)”")
        }
        options.redeemTimeout = seconds
      default:
        throw UsageError(message: "unknown argument “\(argument)”")
      }
    }
    if [options.demo, options.database != nil, options.endpoint != nil].filter({ $0 }).count > 1 {
      throw UsageError(message: "choose one of --demo, --db and --endpoint")
    }
    if options.api == .engage, options.redeemTimeout < 60 {
      // Engage: a shorter wait leaves a voucher redeemed while the till thinks it failed.
      throw UsageError(message: "--api engage needs a --redeem-timeout of at least 60 seconds")
    }
    for (name, text) in [("--terminal", options.terminal), ("--cashier", options.cashier)]
    where text.trimmingCharacters(in: .whitespaces).isEmpty {
      throw UsageError(message: "\(name) must not be empty")
    }
    return .run(options)
  }
}
