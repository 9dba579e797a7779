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
}
