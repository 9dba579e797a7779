import Foundation
import PlainClient
import PlainServer
import TestSupport
import Testing
import VaucharClient
import VaucharServer
import VoucherEngine
import VoucherServer

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A live server with the Vauchar and plain dialects mounted, over a fresh engine at
/// `testNow`, with one key per role.
final class DialectServer: Sendable {
  let engine: VoucherEngine
  let server: APIServer
  let keys: [APIRole: IssuedAPIKey]

  init(plainLimits: PlainRateLimits = PlainRateLimits()) throws {
    engine = try freshEngine()
    server = try APIServer(
      engine: engine, host: "127.0.0.1", port: 0, accessLog: .none,
      dialects: [
        VaucharDialect(engine: engine), PlainDialect(engine: engine, limits: plainLimits),
      ])
    var keys: [APIRole: IssuedAPIKey] = [:]
    for role in APIRole.allCases {
      keys[role] = try engine.addAPIKey(name: "test \(role.rawValue)", role: role)
    }
    self.keys = keys
  }

  var baseURL: URL { URL(string: server.baseURL)! }
  var plainURL: URL { URL(string: server.baseURL + PlainDialect.prefix)! }

  func vauchar(_ role: APIRole = .support) -> VaucharClient {
    VaucharClient(baseURL: baseURL, merchantId: keys[role]!.key.appId, apiKey: keys[role]!.token)
  }

  func plain(_ role: APIRole = .support) -> PlainClient {
    PlainClient(baseURL: plainURL, token: bearer(role))
  }

  func bearer(_ role: APIRole) -> String { "\(keys[role]!.key.appId):\(keys[role]!.token)" }

  /// Vauchar's Basic header for `role`.
  func basic(_ role: APIRole) -> [String: String] {
    let text = Data(bearer(role).utf8).base64EncodedString()
    return ["Authorization": "Basic \(text)"]
  }

  func plainHeaders(_ role: APIRole) -> [String: String] {
    ["Authorization": "Bearer \(bearer(role))"]
  }

  deinit { server.stop() }
}

/// One raw exchange with the headers of the answer.
func rawWithHeaders(
  _ method: String, _ url: URL, headers: [String: String] = [:], json: Any? = nil
) async throws -> (status: Int, body: Data, headers: [String: String]) {
  var request = URLRequest(url: url, timeoutInterval: 20)
  request.httpMethod = method
  for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
  if let json {
    request.httpBody = try JSONSerialization.data(withJSONObject: json)
    request.setValue("application/json", forHTTPHeaderField: "Content-Type")
  }
  let (data, response) = try await URLSession.shared.data(for: request)
  let http = response as? HTTPURLResponse
  var fields: [String: String] = [:]
  for (name, value) in http?.allHeaderFields ?? [:] {
    fields[String(describing: name).lowercased()] = String(describing: value)
  }
  return (http?.statusCode ?? 0, data, fields)
}

func jsonObject(_ data: Data) -> [String: Any] {
  (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
}

/// Checks each (document, schema file) pair with Python's jsonschema (Draft 2020-12), in
/// one run (on a thread of its own: it blocks); records an issue per document that does not
/// validate.
func expectValid(
  _ pairs: [(document: Data, schema: String)], sourceLocation: SourceLocation = #_sourceLocation
) async throws {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "schema-check-\(UUID().uuidString.prefix(8))")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  var list: [[String]] = []
  for (index, pair) in pairs.enumerated() {
    let path = folder.appendingPathComponent("\(index).json")
    try pair.document.write(to: path)
    list.append([path.path, contracts.appendingPathComponent(pair.schema).path])
  }
  let listPath = folder.appendingPathComponent("list.json")
  try JSONSerialization.data(withJSONObject: list).write(to: listPath)
  let script = """
    import json, sys
    from jsonschema import Draft202012Validator
    failed = 0
    for document, schema in json.load(open(sys.argv[1])):
        validator = Draft202012Validator(json.load(open(schema)))
        for error in validator.iter_errors(json.load(open(document))):
            failed += 1
            print(schema.split('/')[-1], list(error.absolute_path), error.message)
    print("checked", len(json.load(open(sys.argv[1]))), "failed", failed)
    sys.exit(1 if failed else 0)
    """
  let (status, text) = try await blocking { () throws -> (Int32, String) in
    let process = Process()
    // The shell joins stderr to stdout: one Pipe given to Process as both gets its write
    // end closed twice, and the second close can take a descriptor that reused the number.
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "exec python3 -c \"$0\" \"$1\" 2>&1", script, listPath.path]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
  }
  #expect(status == 0, "jsonschema: \(text)", sourceLocation: sourceLocation)
  #expect(
    text.contains("checked \(pairs.count) failed 0"), "\(text)", sourceLocation: sourceLocation)
}

/// Vauchar's JSON Schemas, copied from the contract research (Fixtures/vauchar).
let contracts = packageRoot.appendingPathComponent("Tests/VoucherServerTests/Fixtures/vauchar")
