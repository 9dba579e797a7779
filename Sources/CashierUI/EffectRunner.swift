import Foundation
import VoucherClient
import VoucherEngine

/// Performs effects through a `VoucherClient` and reports each result as an action: the
/// only place the UI touches the backend, and the journal.
public struct EffectRunner: Sendable {
  public let client: any VoucherClient
  /// Where attempts are written before they are sent; nil only in tests that need none.
  public let journal: Journal?
  /// Where receipts are written; nil keeps none (tests).
  public var receipts: ReceiptFiler?
  /// How many contacts a search lists.
  public var searchLimit = 50

  public init(client: any VoucherClient, journal: Journal?) {
    self.client = client
    self.journal = journal
  }

  private func page(_ query: String, offset: Int) async -> Action {
    do {
      let found = try await client.findContacts(query, limit: searchLimit, offset: offset)
      return .contactPageFound(
        query: query, offset: offset,
        .success(ContactPage(contacts: found.contacts, total: found.total)))
    } catch { return .contactPageFound(query: query, offset: offset, .failure(error)) }
  }

  /// The action reporting `effect`'s result; nil for effects the runtime handles itself.
  public func run(_ effect: Effect) async -> Action? {
    let client = self.client
    switch effect {
    case .findContacts(let query):
      return await page(query, offset: 0)
    case .findMoreContacts(let query, let offset):
      return await page(query, offset: offset)
    case .loadVouchers(let customerId, let filter):
      do {
        let page = try await client.vouchers(of: customerId, filter: filter, page: 1, limit: 200)
        return .vouchersLoaded(customerId: customerId, filter: filter, .success(page))
      } catch { return .vouchersLoaded(customerId: customerId, filter: filter, .failure(error)) }
    case .lookUpCode(let code):
      do {
        return .codeLookedUp(code, .success(try await client.voucher(code: code.code)))
      } catch { return .codeLookedUp(code, .failure(error)) }
    case .loadHolder(let code, let holderId):
      do {
        return .holderLoaded(code, .success(try await client.contact(holderId)))
      } catch { return .holderLoaded(code, .failure(error)) }
    case .validate(let request):
      let order = request.orderSourceId ?? ""
      do { return .validated(orderId: order, .success(try await client.validate(request))) } catch {
        return .validated(orderId: order, .failure(error))
      }
    case .redeem(let entry, let deadline):
      let key = entry.attempt.key
      // The attempt is on disk before it leaves: a till killed from here on finds it.
      do { try journal?.append(entry) } catch {
        return .journalFailed(attempt: key, error.description)
      }
      do {
        return .redeemResponded(
          attempt: key, .success(try await client.redeem(entry.attempt, deadline: deadline)))
      } catch { return .redeemResponded(attempt: key, .failure(error)) }
    case .startDeadline(let key, let deadline):
      let delay = max(0, deadline.timeIntervalSinceNow)
      try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
      return .deadlinePassed(attempt: key)
    case .resolve(let attempt):
      do {
        return .resolved(attempt: attempt.key, .success(try await client.resolve(attempt)))
      } catch { return .resolved(attempt: attempt.key, .failure(error)) }
    case .recordOutcome(let key, let outcome):
      // Best effort: an outcome not recorded only makes the next start ask again.
      try? journal?.append(outcome: outcome, of: key, redemptionId: nil, at: Date())
      return nil
    case .reactivate(let code, let reason, let by):
      do {
        return .reactivated(
          .success(try await client.reactivate(code: code, reason: reason, by: by)))
      } catch { return .reactivated(.failure(error)) }
    case .loadVoucherDetail(let code):
      do {
        guard let voucher = try await client.voucher(code: code) else {
          return .voucherDetailLoaded(
            code: code, .success(VoucherDetail(voucher: nil, history: nil, holder: nil)))
        }
        let history = try await client.history(code: voucher.code)
        let holder = try await voucher.holderId.asyncMap { id throws(ClientError) in
          try await client.contact(id)
        }
        return .voucherDetailLoaded(
          code: code,
          .success(VoucherDetail(voucher: voucher, history: history, holder: holder ?? nil)))
      } catch { return .voucherDetailLoaded(code: code, .failure(error)) }
    case .fileReceipt(let receipt):
      guard let receipts else { return nil }
      return .receiptFiled(orderId: receipt.orderId, receipts.file(receipt))
    case .loadSales(let terminal, let start, let end):
      do {
        return .salesLoaded(
          .success(try await client.sales(terminal: terminal, from: start, to: end)))
      } catch { return .salesLoaded(.failure(error)) }
    case .void(let id, let reason, let by):
      do {
        return .voided(
          redemptionId: id,
          .success(try await client.void(redemptionId: id, reason: reason, by: by)))
      } catch { return .voided(redemptionId: id, .failure(error)) }
    case .checkBackend:
      return .backendChecked(answers: await client.isReachable())
    case .askRole:
      // Asking also tells a REST client what its server offers, if the start could not.
      do {
        let role = try await client.grantedRole()
        return .roleReported(.success(role), capabilities: client.capabilities)
      } catch { return .roleReported(.failure(error)) }
    case .checkStaffPIN(let name, let pin):
      do {
        return .staffPINChecked(.success(try await client.checkStaffPIN(name: name, pin: pin)))
      } catch { return .staffPINChecked(.failure(error)) }
    case .quit, .redraw:
      return nil
    }
  }
}

extension Optional {
  /// `map` for an async, throwing transform.
  fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws(ClientError) -> T)
    async throws(ClientError) -> T?
  {
    guard let value = self else { return nil }
    return try await transform(value)
  }
}
