import Foundation
import VoucherEngine

/// A cashier typing a name into the Find screen: every keystroke asks the engine for the
/// first page of matches and their exact count, as the screen does ("50 of 1,203").
enum SearchBench {
  /// What the screen needs to feel instant: a frame at 60 Hz.
  static let goalSeconds = 0.016
  static let letters = 5
  /// One screen's page of matches.
  static let pageSize = 50

  /// One row for every keystroke together and one per query length (the first letters
  /// match the most contacts and cost the most).
  static func rows(engine: VoucherEngine, data: BenchData, contacts: Int, quick: Bool) throws
    -> [Benchmark.Measurement]
  {
    // Names of at least five letters, as a cashier would type them (capitals included).
    let names = BenchData.lastNames.filter { $0.count >= letters }
    let queries = quick ? 200 : 2_000
    var random = SplitMix64(seed: 11)
    var byLength = Array(repeating: [Double](), count: letters)
    var found = 0
    let clock = ContinuousClock()
    let total = try clock.measure {
      for _ in 0..<queries {
        let name = names[Int(random.next() % UInt64(names.count))]
        for length in 1...letters {
          let start = clock.now
          let page = try engine.findCustomers(
            String(name.prefix(length)), limit: pageSize, offset: 0)
          byLength[length - 1].append(Benchmark.seconds(clock.now - start))
          found += page.total
        }
      }
    }
    guard found > 0 else { throw BenchError("search: typing found nobody") }
    let all = byLength.flatMap { $0 }
    var overall = Benchmark.Measurement(
      operation: "search: typing a 5-letter query on \(contacts.formatted()) contacts",
      count: all.count, seconds: Benchmark.seconds(total), samples: all)
    let p99 = overall.percentile(0.99)
    overall.note =
      "goal: every keystroke under 16 ms p99: "
      + (p99 < goalSeconds ? "met" : String(format: "NOT met (%.1f ms)", p99 * 1000))
    var rows = [overall]
    for (index, samples) in byLength.enumerated() {
      rows.append(
        Benchmark.Measurement(
          operation: "  keystroke \(index + 1) (\(index + 1) letter\(index == 0 ? "" : "s"))",
          count: samples.count, seconds: samples.reduce(0, +), samples: samples))
    }
    return rows
  }
}
