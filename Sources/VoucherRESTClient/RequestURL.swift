import Foundation

extension HTTPTransport {
  /// `base` + the path segments, each percent-encoded (a code or reference with `/`, `?`,
  /// `#`, `%` or `;` in it stays one segment), + the query. One place for every client, so
  /// that a code is sent the same way to every back end.
  ///
  /// `+` in the query goes as `%2B`: servers read a bare `+` as a space, and a phone
  /// number's `+46` would arrive as ` 46`.
  public static func url(_ base: URL, _ path: [String], query: [(String, String)]) -> URL? {
    var allowed = CharacterSet.urlPathAllowed
    allowed.remove(charactersIn: "/?#%;")
    let encoded = path.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }
    guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false) else {
      return nil
    }
    let root =
      components.percentEncodedPath.hasSuffix("/")
      ? String(components.percentEncodedPath.dropLast()) : components.percentEncodedPath
    components.percentEncodedPath = root + "/" + encoded.joined(separator: "/")
    if !query.isEmpty {
      components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
      components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(
        of: "+", with: "%2B")
    }
    return components.url
  }
}
