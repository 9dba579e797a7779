import Foundation
import Testing

@Suite("Each dialect's OpenAPI file describes routes that serve answers")
struct DialectOpenAPITests {
  @Test(
    "every path and method in the file is served (no 'no route', no 405)",
    arguments: ["vauchar-openapi.json", "plain-openapi.json"])
  func described(file: String) async throws {
    let live = try DialectServer()
    let data = try Data(contentsOf: packageRoot.appendingPathComponent("Assets/\(file)"))
    let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let paths = try #require(document["paths"] as? [String: [String: Any]])
    let isPlain = file.contains("plain")
    var checked = 0
    for (path, operations) in paths {
      for method in operations.keys {
        let concrete = path.replacingOccurrences(
          of: #"\{[^}]+\}"#, with: "missing-1", options: .regularExpression)
        let base = isPlain ? live.plainURL.absoluteString : live.server.baseURL
        let headers = isPlain ? live.plainHeaders(.admin) : live.basic(.admin)
        let body: Any? = ["post", "put"].contains(method) ? [String: Any]() : nil
        let answer = try await rawWithHeaders(
          method.uppercased(), URL(string: base + concrete)!, headers: headers, json: body)
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(answer.status != 405, "\(method) \(path): \(text)")
        #expect(!text.contains("no route"), "\(method) \(path): \(text)")
        #expect(answer.status < 500, "\(method) \(path): \(text)")
        checked += 1
      }
    }
    #expect(checked >= 7)
  }
}
