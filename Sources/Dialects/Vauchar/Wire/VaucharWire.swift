import Foundation
import VoucherAPI
import VoucherEngine

/// Vauchar's JSON through the one mechanism every dialect shares: `WireFormat` writes,
/// the engine's parser and `JSONValueDecoder` read.
public enum VaucharWire {
  public static func encode(_ value: some Encodable) -> Data { WireFormat.encode(value) }

  public static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
    try JSONValueDecoder().decode(type, from: JSONValue.parse(data))
  }

  /// `base` + the path segments (each percent-encoded) + the query.
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
