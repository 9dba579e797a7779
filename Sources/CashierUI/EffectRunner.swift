import Foundation
import VoucherClient
import VoucherEngine

/// Performs effects through a `VoucherClient` and reports each result as an action: the
/// only place the UI touches the backend.
public struct EffectRunner: Sendable {
  public let client: any VoucherClient
  /// How many contacts a search lists.
  public var searchLimit = 50

  public init(client: any VoucherClient) {
    self.client = client
  }

  /// The action reporting `effect`'s result; nil for effects the runtime handles itself.
  public func run(_ effect: Effect) async -> Action? {
    let client = self.client
    switch effect {
    case .findContacts(let query):
      let limit = searchLimit
      do {
        return .contactsFound(
          query: query, .success(try await client.findContacts(query, limit: limit)))
      } catch { return .contactsFound(query: query, .failure(error)) }
    case .loadVouchers(let customerId, let filter):
      do {
        let page = try await client.vouchers(of: customerId, filter: filter, page: 1, limit: 200)
        return .vouchersLoaded(customerId: customerId, filter: filter, .success(page))
      } catch { return .vouchersLoaded(customerId: customerId, filter: filter, .failure(error)) }
    case .lookUpCode(let code):
      do {
        return .codeLookedUp(code: code, .success(try await client.voucher(code: code)))
      } catch { return .codeLookedUp(code: code, .failure(error)) }
    case .validate(let request):
      do { return .validated(.success(try await client.validate(request))) } catch {
        return .validated(.failure(error))
      }
    case .redeem(let request, let deadline):
      do {
        return .redeemResponded(.success(try await client.redeem(request, deadline: deadline)))
      } catch { return .redeemResponded(.failure(error)) }
    case .startDeadline(let deadline):
      let delay = max(0, deadline.timeIntervalSinceNow)
      try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
      return .deadlinePassed
    case .checkOrder(let order):
      do { return .orderChecked(.success(try await client.redemptions(ofOrder: order))) } catch {
        return .orderChecked(.failure(error))
      }
    case .reactivate(let code, let reason, let by):
      do {
        return .reactivated(
          .success(try await client.reactivate(code: code, reason: reason, by: by)))
      } catch { return .reactivated(.failure(error)) }
    case .checkBackend:
      return .backendChecked(answers: await client.isReachable())
    case .quit:
      return nil
    }
  }
}
