import Foundation
import TestSupport
import Testing

@testable import voucher_pos

@Suite("--api: which client the till builds")
struct APIFlagTests {
  @Test("--api takes engine, engage, vauchar and vouchers-v1; anything else is a usage error")
  func parses() async throws {
    try await blocking {
      for api in Options.API.allCases {
        guard case .run(let options) = try Options.parse(["--api", api.rawValue]) else {
          Issue.record("not a run")
          return
        }
        #expect(options.api == api)
      }
      #expect(Options.API.allCases.map(\.rawValue).contains("vouchers-v1"))
      #expect(throws: UsageError.self) { try Options.parse(["--api", "engage2"]) }
    }
  }

  @Test("each API gets its client; the plain API needs no app id, Vauchar does")
  func clients() async throws {
    try await blocking {
      let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
        "api-flag-\(UUID().uuidString.prefix(8))")
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(at: folder) }
      let token = folder.appendingPathComponent("token").path
      try Data("app_1:secret\n".utf8).write(to: URL(fileURLWithPath: token))
      func options(_ arguments: [String]) throws -> Options {
        guard case .run(let options) = try Options.parse(arguments + ["--token-file", token])
        else { throw UsageError(message: "not a run") }
        return options
      }
      let plain = try #require(
        try VoucherPOS.remoteClient(
          options(["--endpoint", "http://127.0.0.1:9/plain/v1", "--api", "vouchers-v1"])))
      #expect(!plain.capabilities.findsContacts)
      #expect(plain.capabilities.redeemGuarantee == .idempotentApply)
      #expect(plain.backendDescription == "http://127.0.0.1:9/plain/v1")
      let vauchar = try #require(
        try VoucherPOS.remoteClient(
          options(["--endpoint", "http://127.0.0.1:9", "--api", "vauchar", "--app-id", "m-1"])))
      #expect(vauchar.capabilities.unRedeem == .delete)
      #expect(throws: (any Error).self) {
        try VoucherPOS.remoteClient(
          options(["--endpoint", "http://127.0.0.1:9", "--api", "vauchar"]))
      }
    }
  }
}
