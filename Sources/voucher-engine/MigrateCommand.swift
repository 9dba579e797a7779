import Foundation
import VoucherEngine

enum MigrateCommand {
  static let command = Command(
    name: "migrate",
    help: """
      Usage: voucher-engine migrate --from PATH.sqlite
               --to postgresql://USER@HOST/DBNAME [--force] [--json]

      Moves a store to PostgreSQL: copies every customer, voucher, redemption,
      rollback, event, idempotency key, closed attempt, issuance batch, validation
      session hold and API key in one transaction, then checks that row counts and
      sums are equal on both sides (a copy that does not add up is rolled back).
      Refuses a target that already holds data unless --force, which replaces it. The
      password comes from PGPASSFILE or PGPASSWORD, never from the URL.
      Stop the servers on the SQLite file first: what they write during the
      move stays behind.
      """,
    spec: OptionSpec(flags: ["force"], options: ["from", "to"])
  ) { context in
    let source = try context.arguments.required("from")
    let target = try context.arguments.required("to")
    guard !PostgreSQLStore.isLocation(source) else {
      throw UsageError("--from is the SQLite file to move (a path)")
    }
    guard PostgreSQLStore.isLocation(target) else {
      throw UsageError("--to must be a postgresql:// or postgres:// URL")
    }
    do {
      try PostgreSQLStore.checkLocation(target)
    } catch StoreError.cannotOpen(_, let detail) {
      throw UsageError("--to: \(detail)")
    }
    var bars: [String: Progress] = [:]
    let checks: [StoreMove.TableCheck]
    do {
      checks = try StoreMove.copy(
        fromSQLite: source, to: target, replace: context.arguments.flag("force")
      ) { table, done, total in
        // On a terminal only: a log gets the summary below.
        guard isatty(STDERR_FILENO) == 1 else { return }
        let bar = bars[table] ?? Progress(label: "copying \(table)", total: total)
        bars[table] = bar
        if done == total { bar.finish(done: done) } else { bar.update(done: done) }
      }
    } catch let error as StoreMove.MoveError {
      Output.error(error.description)
      return exitFailure
    }
    if context.json {
      Output.json([
        "from": source, "to": target,
        "tables": Dictionary(uniqueKeysWithValues: checks.map { ($0.table, Int($0.target[0])) }),
      ])
    } else {
      for check in checks {
        Output.line("\(check.table): \(check.target[0]) rows, counts and sums equal")
      }
      Output.line("Moved \(source) to \(target)")
    }
    return exitDone
  }
}
