import Foundation
import TestSupport
import Testing

/// The flow script, kept beside the tests (`Fixtures` is left out of the target).
private let flowScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Fixtures/voucherify_sdk_flow.py")

@Suite("Voucherify's official SDK")
struct VoucherifySDKTests {
  @Test(
    "a shop's whole flow through the Python SDK against serve, on SQLite and on PostgreSQL: every call succeeds",
    arguments: [false, true])
  func wholeFlow(onPostgreSQL: Bool) async throws {
    // Off the shared threads: the flow takes about half a minute of a child process.
    try await blocking {
      try runFlow(database: onPostgreSQL ? PostgreSQLCluster.shared().createSchema() : nil)
    }
  }

  func runFlow(database: String?) throws {
    let python = try VoucherifySDK.python()
    let serve = try ServeProcess(database: database)
    let result = try runProgram(
      python,
      [
        flowScript.path, "--base", serve.baseURL, "--app-id", serve.appId, "--app-token",
        serve.token,
      ], timeout: 300)
    // The last run's call-by-call answer, kept beside the environment for whoever reads it.
    try? Data(result.output.utf8).write(
      to: VoucherifySDK.folder.deletingLastPathComponent().appendingPathComponent(
        "voucherify-sdk-flow.txt"))
    let lines = result.output.split(separator: "\n")
    #expect(result.status == 0, "\(result.output)")
    #expect(lines.last?.hasSuffix(" calls, 0 failed") == true, "\(result.output)")
    #expect(!lines.contains { $0.contains(": FAILED") }, "\(result.output)")
  }
}
