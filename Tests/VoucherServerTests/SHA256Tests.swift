import Foundation
import Testing
import VoucherEngine

@Suite("SHA-256")
struct SHA256Tests {
  // FIPS 180-2 appendix B and the NIST example values.
  @Test(
    "FIPS test vectors",
    arguments: [
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
      (
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
      ),
    ])
  func vectors(input: String, digest: String) {
    #expect(SHA256.hex(Array(input.utf8)) == digest)
  }

  @Test("a million times 'a', fed in uneven pieces")
  func millionA() {
    var hasher = SHA256()
    var left = 1_000_000
    var piece = 1
    while left > 0 {
      let count = min(piece, left)
      hasher.update(repeatElement(UInt8(ascii: "a"), count: count))
      left -= count
      piece = piece % 997 + 61
    }
    #expect(
      hasher.finalize().hexString
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test("constant-time comparison")
  func comparison() {
    #expect(SHA256.constantTimeEqual([1, 2, 3], [1, 2, 3]))
    #expect(!SHA256.constantTimeEqual([1, 2, 3], [1, 2, 4]))
    #expect(!SHA256.constantTimeEqual([1, 2, 3], [1, 2]))
  }
}

@Suite("API keys")
struct APIKeyTests {
  @Test("a key authenticates with its token only, and not after it is revoked")
  func lifecycle() throws {
    let engine = try freshEngine()
    let issued = try engine.addAPIKey(name: "till 02", role: .cashier)
    #expect(issued.token.count == 68)
    #expect(try engine.authenticate(appId: issued.key.appId, token: issued.token)?.role == .cashier)
    #expect(try engine.authenticate(appId: issued.key.appId, token: issued.token + "x") == nil)
    // Accepted again (now without hashing), and a near miss still refused after that.
    #expect(try engine.authenticate(appId: issued.key.appId, token: issued.token)?.role == .cashier)
    // A near miss: the last character changed (to "1" when it was "0"), so it always differs.
    let nearMiss = String(issued.token.dropLast()) + (issued.token.hasSuffix("0") ? "1" : "0")
    #expect(try engine.authenticate(appId: issued.key.appId, token: nearMiss) == nil)
    #expect(try engine.authenticate(appId: "app_unknown", token: issued.token) == nil)
    #expect(try engine.apiKeys().map(\.appId) == [issued.key.appId])
    // Revoked by another engine on the same file (another process, say): refused at once.
    let other = try VoucherEngine(path: try #require(engine.store as? SQLiteStore).path)
    #expect(try other.revokeAPIKey(appId: issued.key.appId))
    #expect(try !engine.revokeAPIKey(appId: issued.key.appId))
    #expect(try engine.authenticate(appId: issued.key.appId, token: issued.token) == nil)
    #expect(try engine.apiKeys().first?.revokedAt != nil)
  }

  @Test("the token itself is never stored")
  func hashedAtRest() throws {
    let engine = try freshEngine()
    let issued = try engine.addAPIKey(name: "admin", role: .admin)
    let path = try #require(engine.store as? SQLiteStore).path
    let bytes =
      try Data(contentsOf: URL(fileURLWithPath: path))
      + ((try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data())
    #expect(bytes.range(of: Data(issued.token.utf8)) == nil)
  }
}
