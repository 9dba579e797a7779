import EngageServer
import Foundation
import PlainServer
import VaucharServer
import VoucherEngine

@testable import VoucherServer

// What `serve` does with a request once libmicrohttpd has read it, without sockets: the
// target decoded and checked, each dialect asked, the Voucherify routes, authentication,
// roles and handlers, over a real engine loaded with the demo data. The input is a request
// as text: `METHOD TARGET` on the first line, `Name: value` lines, an empty line, the body.
// `@cashier`, `@support` and `@admin` in a header stand for that key as `APP_ID:TOKEN`
// (`.id`, `.token` and `.basic` for its parts and Basic auth), so inputs get past
// authentication. Whatever the request, the answer is a status the server means (never 500,
// its word for a bug), a JSON body that parses, and headers without line breaks.
final class FuzzedServer: Sendable {
  let router: APIRouter
  let dialects: [any ServedDialect]
  /// Placeholder and value, longest placeholder first.
  let credentials: [(String, String)]

  init() {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "voucher-fuzz-\(getpid())")
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      let now = Date(timeIntervalSince1970: 1_793_700_000)
      let engine = try VoucherEngine(
        path: folder.appendingPathComponent("engine.sqlite").path, clock: ManualClock(now))
      let catalog = URL(fileURLWithPath: "Assets/demo/demo.json")
      _ = try Catalog.load(from: catalog).apply(to: engine, now: now)
      var credentials: [(String, String)] = []
      for role in APIRole.allCases {
        let issued = try engine.addAPIKey(name: "fuzz \(role.rawValue)", role: role)
        let pair = "\(issued.key.appId):\(issued.token)"
        credentials += [
          ("@\(role.rawValue).basic", Data(pair.utf8).base64EncodedString()),
          ("@\(role.rawValue).token", issued.token), ("@\(role.rawValue).id", issued.key.appId),
          ("@\(role.rawValue)", pair),
        ]
      }
      self.credentials = credentials
      // Limits that a fuzzer's thousands of requests a second do not reach, so that inputs
      // get past them to the handlers (the limits have tests of their own).
      var limits = AuthLimits()
      limits.perKey = .max
      limits.perAddress = .max
      let throttle = AuthThrottle(limits: limits)
      var plainLimits = PlainRateLimits()
      (plainLimits.read, plainLimits.write) = (.max / 2, .max / 2)
      (plainLimits.validate, plainLimits.apply) = (.max / 2, .max / 2)
      router = APIRouter(engine: engine, throttle: throttle)
      dialects = [
        EngageDialect(engine: engine, rate: 1_000_000_000, throttle: throttle),
        VaucharDialect(engine: engine), PlainDialect(engine: engine, limits: plainLimits),
      ]
    } catch {
      fatalError("the fuzzed server could not start (run from the package root): \(error)")
    }
  }

  func request(_ bytes: [UInt8]) -> HTTPRequest? {
    // libmicrohttpd hands over C strings: nothing after a NUL.
    func text(_ part: ArraySlice<UInt8>) -> String {
      String(decoding: part.prefix { $0 != 0 }, as: UTF8.self)
    }
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    var bodyStart = bytes.count
    for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
      let line = bytes[start..<index]
      start = index + 1
      if line.isEmpty || line == [UInt8(ascii: "\r")] {
        bodyStart = start
        break
      }
      lines.append(line.last == UInt8(ascii: "\r") ? line.dropLast() : line)
    }
    if bodyStart == bytes.count, start < bytes.count { lines.append(bytes[start...]) }
    guard let first = lines.first else { return nil }
    let words = first.split(separator: UInt8(ascii: " "), maxSplits: 1)
    guard words.count == 2 else { return nil }
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
      var value = text(line[(colon + 1)...]).trimmingCharacters(in: .whitespaces)
      for (placeholder, credential) in credentials {
        value = value.replacingOccurrences(of: placeholder, with: credential)
      }
      let name = text(line[..<colon]).lowercased()
      if headers[name] == nil { headers[name] = value }
    }
    return HTTPRequest(
      method: text(words[0]), target: text(words[1]),
      header: { [headers] name in headers[name.lowercased()] },
      body: Data(bytes[bodyStart...]), requestId: "req_fuzz", clientAddress: "127.0.0.1")
  }
}

let fuzzedServer = FuzzedServer()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let input = Array(UnsafeBufferPointer(start: bytes, count: count))
  guard let request = fuzzedServer.request(input) else { return 0 }
  let response = APIServer.answer(
    request, router: fuzzedServer.router, dialects: fuzzedServer.dialects)
  let shown = String(decoding: input, as: UTF8.self).debugDescription
  guard (100...599).contains(response.status), response.status != 500 else {
    fatalError(
      "\(response.status) \(String(decoding: response.body, as: UTF8.self)) for \(shown)")
  }
  if !response.body.isEmpty, response.contentType.hasPrefix("application/json") {
    guard (try? JSONValue.parse(response.body)) != nil else {
      fatalError("a JSON answer that does not parse for \(shown)")
    }
  }
  for (name, value) in response.headers
  where (name + value).unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
    fatalError("header \(name.debugDescription): \(value.debugDescription) for \(shown)")
  }
  return 0
}
