import Foundation
import Synchronization

/// A value kept once per shard, each shard behind its own lock, each thread always using the
/// same shard: for caches that every request thread reads, where one lock for all of them
/// was contended (16 request threads on 2 cores: a holder preempted mid-lookup left the
/// others spinning, 5% of a validation's server time in `Mutex` alone).
///
/// Each shard fills on its own, so a value is computed up to `count` times; the caches kept
/// this way hold a few entries (one per till), so that is cheap.
final class PerThreadShards<Value: Sendable>: Sendable {
  private final class Shard: Sendable {
    let value: Mutex<Value>
    init(_ value: sending Value) { self.value = Mutex(value) }
  }

  private let shards: [Shard]

  init(count: Int = 16, _ make: () -> Value) {
    shards = (0..<max(1, count)).map { _ in Shard(make()) }
  }

  /// Runs `body` on the calling thread's shard.
  func withCurrent<R: Sendable>(_ body: (inout Value) -> R) -> R {
    // pthread_t is the thread's control block address: its low bits are alignment, so it
    // is mixed before it picks a shard.
    let mixed =
      UInt64(UInt(bitPattern: Int(bitPattern: UInt(pthread_self())))) &* 0x9E37_79B9_7F4A_7C15
    let index = Int((mixed >> 32) % UInt64(shards.count))
    return shards[index].value.withLock { body(&$0) }
  }

  /// Runs `body` on every shard, one at a time (to forget an entry everywhere).
  func withEach(_ body: (inout Value) -> Void) {
    for shard in shards { shard.value.withLock { body(&$0) } }
  }
}
