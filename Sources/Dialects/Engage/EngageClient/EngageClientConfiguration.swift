import Foundation

/// Where the till finds its Engage tenant and key: `--endpoint URL` (or
/// `$VOUCHER_POS_ENDPOINT`) and the key in a file (`--token-file`, or
/// `$VOUCHER_POS_APP_TOKEN`). An Engage key is one string; for `voucher-engine serve`, whose
/// keys have an app id, either the file holds `APP_ID:TOKEN` or `--app-id` names the id and
/// the file holds the token.
public struct EngageClientConfiguration: Sendable, Equatable {
  public var endpoint: URL
  public var apikey: String

  public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
  }

  /// - Throws: `Problem` for a missing or malformed URL, a missing or unreadable key.
  public static func resolve(
    endpoint: String?, appId: String?, tokenFile: String?,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(Problem) -> EngageClientConfiguration {
    func nonEmpty(_ text: String?) -> String? {
      guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
        return nil
      }
      return text
    }
    guard let text = nonEmpty(endpoint) ?? nonEmpty(environment["VOUCHER_POS_ENDPOINT"]) else {
      throw Problem(description: "--api engage needs --endpoint URL (the Engage tenant)")
    }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
      scheme == "http" || scheme == "https", url.host != nil
    else { throw Problem(description: "the endpoint “\(text)” is not an http(s) URL") }
    let key: String
    if let path = nonEmpty(tokenFile) {
      guard let data = FileManager.default.contents(atPath: path),
        let read = nonEmpty(String(data: data, encoding: .utf8))
      else { throw Problem(description: "cannot read an Engage key from \(path)") }
      key = read
    } else if let read = nonEmpty(environment["VOUCHER_POS_APP_TOKEN"]) {
      key = read
    } else {
      throw Problem(
        description: "--api engage needs its key: --token-file PATH or VOUCHER_POS_APP_TOKEN")
    }
    let id = nonEmpty(appId) ?? nonEmpty(environment["VOUCHER_POS_APP_ID"])
    return EngageClientConfiguration(
      endpoint: url, apikey: id.map { key.contains(":") ? key : "\($0):\(key)" } ?? key)
  }
}
