extension VoucherEngine {
  /// True when a key (live or revoked) has this app id: the server counts a failed
  /// authentication against the key when it names one, else against the client's address.
  public func hasAPIKey(appId: String) throws -> Bool {
    guard !appId.isEmpty, appId.utf8.count <= 100 else { return false }
    return try store.read { try $0.apiKey(appId: appId) } != nil
  }
}
