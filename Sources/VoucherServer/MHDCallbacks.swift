import CMicroHTTPD
import Foundation
import VoucherAPI
import VoucherEngine

// libmicrohttpd calls these on its connection threads. They are plain functions in their own
// file (not closures in a main.swift, which would be main-actor isolated and trap off the
// main thread), and reach the server through the context pointer given at start.

/// A connection opened or closed: keeps its state (phase, socket, address) for the watch.
func mhdConnectionNotified(
  _ context: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
  _ socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
  _ code: MHD_ConnectionNotificationCode
) {
  guard let context, let connection, let socketContext else { return }
  let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()
  if code == mhd_notify_started() {
    var text = [CChar](repeating: 0, count: 64)
    mhd_client_address(connection, &text, text.count)
    let state = ConnectionState(
      fd: mhd_connection_fd(connection),
      address: String(
        decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    socketContext.pointee = Unmanaged.passRetained(state).toOpaque()
    server.watch.opened(state)
  } else if let pointer = socketContext.pointee {
    let state = Unmanaged<ConnectionState>.fromOpaque(pointer)
    server.watch.closed(state.takeUnretainedValue())
    state.release()
    socketContext.pointee = nil
  }
}

/// A request line arrived: the target as sent, and the start of the header deadline.
/// Returns nil, so the access handler's first call still finds no request state.
func mhdRequestLine(
  _ context: UnsafeMutableRawPointer?, _ uri: UnsafePointer<CChar>?, _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
  guard let connection, let uri else { return nil }
  connectionState(connection)?.requestLine(String(cString: uri))
  return nil
}

private func connectionState(_ connection: OpaquePointer) -> ConnectionState? {
  mhd_socket_context(connection).map {
    Unmanaged<ConnectionState>.fromOpaque($0).takeUnretainedValue()
  }
}

/// The access handler: called once when headers are in, then once per body chunk, then a
/// last time with no data, when the request is answered.
func mhdAccessHandler(
  _ context: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
  _ url: UnsafePointer<CChar>?, _ method: UnsafePointer<CChar>?,
  _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
  _ uploadDataSize: UnsafeMutablePointer<Int>?,
  _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
  guard let context, let connection, let requestContext, let uploadDataSize else {
    return mhd_no()
  }
  let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()
  let methodText = method.map { String(cString: $0) } ?? "GET"
  guard let pointer = requestContext.pointee else {
    // First call: headers only. Keep per-request state until the completion callback.
    let owner = connectionState(connection)
    let target = owner?.headersComplete() ?? url.map { String(cString: $0) } ?? "/"
    let state = RequestState(target: target, connection: owner)
    server.inFlight.add(1, ordering: .acquiringAndReleasing)
    requestContext.pointee = Unmanaged.passRetained(state).toOpaque()
    // Refusals that need no body are answered now, and the connection closed: the body
    // that follows (if any) is never read, so no later request on it could be found.
    if let refusal = earlyRefusal(server, connection) {
      var response = APIResponder.error(
        refusal, request: request(methodText, state, connection, server, body: Data()))
      response.closesConnection = true
      return queue(response, methodText, state, on: connection, server)
    }
    return mhd_yes()
  }
  let state = Unmanaged<RequestState>.fromOpaque(pointer).takeUnretainedValue()
  if uploadDataSize.pointee > 0 {
    let size = uploadDataSize.pointee
    // Over the limit (a chunked body, whose size is not known in advance) the rest is read
    // and dropped, so the client gets to read our 413 instead of a reset connection, up to a
    // bound past which the connection is just closed.
    if state.tooLarge || state.body.count + size > server.options.bodyLimit {
      state.tooLarge = true
      state.body = Data()
      state.dropped += size
      if state.dropped > 8 * server.options.bodyLimit { return mhd_no() }
    } else if let uploadData {
      state.body.append(
        UnsafeRawPointer(uploadData).assumingMemoryBound(to: UInt8.self), count: size)
    }
    uploadDataSize.pointee = 0
    return mhd_yes()
  }
  state.connection?.enter(.handling)
  let request = request(
    methodText, state, connection, server, body: state.tooLarge ? Data() : state.body)
  var response =
    state.tooLarge
    ? APIResponder.error(.tooLarge(limit: server.options.bodyLimit), request: request)
    : server.handler(request)
  if state.tooLarge { response.closesConnection = true }
  return queue(response, methodText, state, on: connection, server)
}

/// What is refused from the headers alone: both Content-Length and Transfer-Encoding (a
/// request smuggling shape: two readers may find different ends of the body), a declared
/// body over the limit, and any request that starts while the server is stopping.
private func earlyRefusal(_ server: ServerContext, _ connection: OpaquePointer) -> APIError? {
  if server.draining.load(ordering: .acquiring) { return .shuttingDown }
  let length = lookup(connection, mhd_header_kind(), "Content-Length")
  if length != nil, lookup(connection, mhd_header_kind(), "Transfer-Encoding") != nil {
    return .invalidPayload("a request may not have both Content-Length and Transfer-Encoding")
  }
  if let length, let size = Int(length), size > server.options.bodyLimit {
    return .tooLarge(limit: server.options.bodyLimit)
  }
  return nil
}

private func request(
  _ method: String, _ state: RequestState, _ connection: OpaquePointer, _ server: ServerContext,
  body: Data
) -> HTTPRequest {
  HTTPRequest(
    method: method, target: state.target,
    header: { [connection = UnsafeConnection(connection)] name in
      connection.value(kind: mhd_header_kind(), name)
    },
    body: body, requestId: state.requestId, clientAddress: state.connection?.address ?? "")
}

/// Called when a request is over (answered, timed out or dropped): frees its state.
func mhdRequestCompleted(
  _ context: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
  _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
  _ termination: MHD_RequestTerminationCode
) {
  guard let context, let requestContext, let pointer = requestContext.pointee else { return }
  let state = Unmanaged<RequestState>.fromOpaque(pointer)
  state.takeUnretainedValue().connection?.enter(.idle)
  state.release()
  requestContext.pointee = nil
  let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()
  server.inFlight.subtract(1, ordering: .acquiringAndReleasing)
}

private func queue(
  _ response: HTTPResponse, _ method: String, _ state: RequestState,
  on connection: OpaquePointer, _ server: ServerContext
) -> MHD_Result {
  state.connection?.enter(.responding)
  if server.accessLog.isEnabled {
    let elapsed = ContinuousClock.now - state.started
    let tenths =
      elapsed.components.seconds * 10_000 + elapsed.components.attoseconds / 100_000_000_000_000
    // Escaped and bounded: a target is the client's text, and CR, LF or ESC in it must not
    // forge or colour a line. Appended into one string made once at its size: the
    // interpolations joined with `+` were each a string of their own, 7k instructions of a
    // request's 216k.
    let target = SafeText.visible(state.target, limit: 200)
    var line = ""
    line.reserveCapacity(128 + target.utf8.count)
    line.append(WireFormat.date(Date()))
    line.append(" ")
    line.append(SafeText.visible(method, limit: 16))
    line.append(" ")
    line.append(target)
    line.append(" ")
    line.append(String(response.status))
    line.append(" ")
    line.append(String(tenths / 10))
    line.append(".")
    line.append(String(tenths % 10))
    line.append("ms ")
    line.append(state.requestId)
    line.append(" app=")
    line.append(SafeText.visible(response.appId ?? "-", limit: 64))
    line.append(" from=")
    line.append(state.connection?.address ?? "-")
    server.accessLog.write(line)
  }
  let created = response.body.withUnsafeBytes { bytes in
    MHD_create_response_from_buffer(
      bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), mhd_must_copy())
  }
  guard let created else { return mhd_no() }
  defer { MHD_destroy_response(created) }
  // `withCString` lends a native string's own bytes; passing the `String` itself made a
  // C copy of each value on every response.
  if !response.body.isEmpty {
    _ = response.contentType.withCString { MHD_add_response_header(created, "Content-Type", $0) }
  }
  _ = state.requestId.withCString { MHD_add_response_header(created, "X-Request-Id", $0) }
  for header in response.headers {
    _ = header.name.withCString { name in
      header.value.withCString { MHD_add_response_header(created, name, $0) }
    }
  }
  // A stopping server answers and closes, so no keep-alive connection starts a new request.
  if response.closesConnection || server.draining.load(ordering: .acquiring) {
    _ = MHD_add_response_header(created, "Connection", "close")
  }
  return MHD_queue_response(connection, UInt32(response.status), created)
}

private func lookup(_ connection: OpaquePointer, _ kind: MHD_ValueKind, _ name: String)
  -> String?
{
  name.withCString { MHD_lookup_connection_value(connection, kind, $0) }.map { String(cString: $0) }
}

/// A connection pointer carried into the request's lookup closures. Valid only during the
/// handler call, which is the only time the closures run.
private struct UnsafeConnection: @unchecked Sendable {
  let pointer: OpaquePointer

  init(_ pointer: OpaquePointer) { self.pointer = pointer }

  func value(kind: MHD_ValueKind, _ name: String) -> String? {
    // `withCString` lends the name's own bytes instead of making a C copy per lookup.
    name.withCString { MHD_lookup_connection_value(pointer, kind, $0) }.map { String(cString: $0) }
  }
}
