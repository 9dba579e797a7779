import Foundation
import Testing

/// The tests that load the machine (floods, crash loops, child processes, seeded random
/// inputs), one at a time: run together they starved the timing-sensitive tests that run
/// beside them.
@Suite("Under load", .serialized)
struct LoadTests {}
