import Foundation

/// Where a till finds its REST endpoint and key: flags first, then the environment
/// (`VOUCHER_POS_ENDPOINT`, `VOUCHER_POS_APP_ID`, `VOUCHER_POS_APP_TOKEN`). The token comes
/// from a file (`--token-file`) or the environment, never from a command-line argument that
/// `ps` would show.
public struct RESTClientConfiguration: Sendable, Equatable {
  public var endpoint: URL
  public var appId: String
  public var token: String

  public init(endpoint: URL, appId: String, token: String) {
    self.endpoint = endpoint
    self.appId = appId
    self.token = token
  }

  /// Why the endpoint settings are unusable, in a sentence for the person starting the till.
  public struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
  }

  /// The configuration from flags and environment; nil when no endpoint is set anywhere (the
  /// till then uses its embedded engine).
  ///
  /// - Parameters:
  ///   - endpoint: `--endpoint URL`, when given.
  ///   - appId: `--app-id ID`, when given.
  ///   - tokenFile: `--token-file PATH`, when given: a file holding the token (trailing
  ///     whitespace ignored).
  ///   - requiresAppId: false for an API whose one credential is the token (a Bearer token).
  /// - Throws: `Problem` for a malformed URL, a missing app id or token, an unreadable file.
  public static func resolve(
    endpoint: String? = nil, appId: String? = nil, tokenFile: String? = nil,
    requiresAppId: Bool = true,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(Problem) -> RESTClientConfiguration? {
    func nonEmpty(_ text: String?) -> String? {
      guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else {
        return nil
      }
      return text
    }
    guard let endpointText = nonEmpty(endpoint) ?? nonEmpty(environment["VOUCHER_POS_ENDPOINT"])
    else { return nil }
    guard let url = URL(string: endpointText), let scheme = url.scheme?.lowercased(),
      scheme == "http" || scheme == "https", url.host != nil
    else {
      throw Problem(description: "the endpoint “\(endpointText)” is not an http(s) URL")
    }
    let given = nonEmpty(appId) ?? nonEmpty(environment["VOUCHER_POS_APP_ID"])
    guard let id = given ?? (requiresAppId ? nil : "") else {
      throw Problem(description: "an endpoint needs an app id: --app-id or VOUCHER_POS_APP_ID")
    }
    let token: String
    if let path = nonEmpty(tokenFile) {
      guard let data = FileManager.default.contents(atPath: path),
        let text = nonEmpty(String(data: data, encoding: .utf8))
      else {
        throw Problem(description: "cannot read a token from \(path)")
      }
      token = text
    } else if let text = nonEmpty(environment["VOUCHER_POS_APP_TOKEN"]) {
      token = text
    } else {
      throw Problem(
        description: "an endpoint needs a token: --token-file PATH or VOUCHER_POS_APP_TOKEN")
    }
    return RESTClientConfiguration(endpoint: url, appId: id, token: token)
  }
}
