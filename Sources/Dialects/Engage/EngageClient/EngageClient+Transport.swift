import EngageWire
import Foundation
import VoucherClient
import VoucherEngine
import VoucherRESTClient

/// Engage's HTTP: every request named (`User-Agent`) and keyed (`apikey`); reads sent again
/// once on a failed connection, POSTs never.
extension EngageClient {
  /// The whole list of a contact (`nil`), or its available or redeemed list.
  func list(_ contact: String, _ which: String?) async throws(ClientError)
    -> [EngageRewardVoucher]
  {
    var path = ["reward-vouchers"]
    if let which { path.append(which) }
    var items: [EngageRewardVoucher] = []
    while true {
      let answer = try await read(
        path,
        query: [
          ("contactId", contact), ("offset", String(items.count)),
          // Engage v2's default page; a larger one is not documented for v3.
          ("count", String(EngageRewardVoucherPage.defaultCount)),
        ])
      guard answer.status == 200 else {
        if answer.status == 404 || answer.status == 400,
          Self.engageError(answer).map({
            ["ContactNotFound", "InvalidContactId"].contains($0.errorCode)
          })
            == true
        {
          throw .rejected(Refusal(code: nil, reason: .customerNotFound(reference: contact)))
        }
        throw Self.failure(answer)
      }
      guard let page = try? EngageJSON.decode(EngageRewardVoucherPage.self, from: answer.body)
      else {
        throw .backendFailed("Engage sent an unreadable voucher list")
      }
      items += page.items
      if page.items.isEmpty || items.count >= page.totalCount { return items }
    }
  }

  /// One voucher as it is now, from the contact's full list.
  func current(_ id: String, contact: String?) async throws(ClientError)
    -> EngageRewardVoucher?
  {
    guard let contact else { return nil }
    return try await list(contact, nil).first { $0.id == id }
  }

  /// A GET, sent again once when the connection failed before an answer.
  func read(_ path: [String], query: [(String, String)] = []) async throws(ClientError)
    -> HTTPTransport.Answer
  {
    var tries = 0
    while true {
      tries += 1
      switch await send("GET", path, query: query, timeout: readTimeout, isSafeToRepeat: true) {
      case .success(let answer):
        if answer.status == 401 || answer.status == 403 { throw Self.failure(answer) }
        if answer.status == 429 {
          throw .backendFailed("Engage is receiving too many requests from this key; try again")
        }
        return answer
      case .failure(.timedOut): throw .timedOut
      case .failure(.notSent(let detail)), .failure(.lost(let detail)):
        if tries < 2 { continue }
        throw .unreachable(detail)
      }
    }
  }

  func send(
    _ method: String, _ path: [String], query: [(String, String)] = [], timeout: TimeInterval,
    isSafeToRepeat: Bool
  ) async -> Result<HTTPTransport.Answer, TransportFailure> {
    guard let url = url(path, query: query) else { return .failure(.notSent("bad URL")) }
    // Engage asks for the JSON content type on every request, a body or not.
    let headers = [
      (name: "apikey", value: apikey), (name: "User-Agent", value: userAgent),
      (name: "Accept", value: "application/json"),
      (name: "Content-Type", value: "application/json"),
    ]
    return await transport.send(
      HTTPTransport.Request(
        method: method, url: url, headers: headers, body: nil, isSafeToRepeat: isSafeToRepeat),
      timeout: timeout)
  }

  func url(_ path: [String], query: [(String, String)]) -> URL? {
    HTTPTransport.url(baseURL, ["api", "v3"] + path, query: query)
  }

  static func engageError(_ answer: HTTPTransport.Answer) -> EngageError? {
    try? EngageJSON.decode(EngageError.self, from: answer.body)
  }

  static func failure(_ answer: HTTPTransport.Answer) -> ClientError {
    let error = engageError(answer)
    let detail = error.map { "\($0.errorCode): \($0.message)" } ?? "HTTP \(answer.status)"
    switch answer.status {
    case 401, 403: return .notAllowed(detail)
    default: return .backendFailed(detail)
    }
  }
}
