import Foundation

/// Random words for ids (`r_…`, `ord_…`, request ids), read from the kernel's generator
/// 64 at a time per thread: one `getrandom` per id was three system calls per redemption.
/// Secrets (API tokens, salts) do not come from here; they read the kernel's generator
/// each time.
public enum BufferedRandom {
  private struct Pool: Sendable {
    var words: [UInt64] = []
    var next = 0
  }

  private static let pools = PerThreadShards<Pool> { Pool() }

  /// The next random 64-bit word of the calling thread's shard.
  public static func next() -> UInt64 {
    pools.withCurrent { pool in
      if pool.next == pool.words.count {
        // glibc's arc4random_buf reads the kernel's generator for the whole buffer at once.
        if pool.words.isEmpty { pool.words = [UInt64](repeating: 0, count: 64) }
        pool.words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
        pool.next = 0
      }
      defer { pool.next += 1 }
      return pool.words[pool.next]
    }
  }
}
