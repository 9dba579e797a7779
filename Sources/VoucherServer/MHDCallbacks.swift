import CMicroHTTPD
import Foundation

// libmicrohttpd calls these on its pool threads. They are plain functions in their own file
// (not closures in a main.swift, which would be main-actor isolated and trap off the main
// thread), and reach the server through the context pointer given at start.

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
  guard let pointer = requestContext.pointee else {
    // First call: headers only. Keep per-request state until the completion callback.
    let state = RequestState()
    server.inFlight.add(1, ordering: .acquiringAndReleasing)
    requestContext.pointee = Unmanaged.passRetained(state).toOpaque()
    return mhd_yes()
  }
  let state = Unmanaged<RequestState>.fromOpaque(pointer).takeUnretainedValue()
  if uploadDataSize.pointee > 0 {
    let size = uploadDataSize.pointee
    // Over the limit the rest is read and dropped, so the client gets to read our 413
    // instead of a reset connection.
    if state.tooLarge || state.body.count + size > server.options.bodyLimit {
      state.tooLarge = true
      state.body = Data()
    } else if let uploadData {
      state.body.append(
        UnsafeRawPointer(uploadData).assumingMemoryBound(to: UInt8.self), count: size)
    }
    uploadDataSize.pointee = 0
    return mhd_yes()
  }
  let request = HTTPRequest(
    method: method.map { String(cString: $0) } ?? "GET",
    path: url.map { String(cString: $0) } ?? "/",
    header: { [connection = UnsafeConnection(connection)] name in
      connection.value(kind: mhd_header_kind(), name)
    },
    query: { [connection = UnsafeConnection(connection)] name in
      connection.value(kind: mhd_query_kind(), name)
    },
    body: state.tooLarge ? Data() : state.body, requestId: state.requestId,
    queryItems: { [connection = UnsafeConnection(connection)] in
      connection.values(kind: mhd_query_kind())
    })
  let response =
    state.tooLarge
    ? APIResponder.error(.tooLarge(limit: server.options.bodyLimit), request: request)
    : server.handler(request)
  return queue(response, requestId: state.requestId, on: connection)
}

/// Called when a request is over (answered, timed out or dropped): frees its state.
func mhdRequestCompleted(
  _ context: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
  _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
  _ termination: MHD_RequestTerminationCode
) {
  guard let context, let requestContext, let pointer = requestContext.pointee else { return }
  Unmanaged<RequestState>.fromOpaque(pointer).release()
  requestContext.pointee = nil
  let server = Unmanaged<ServerContext>.fromOpaque(context).takeUnretainedValue()
  server.inFlight.subtract(1, ordering: .acquiringAndReleasing)
}

private func queue(_ response: HTTPResponse, requestId: String, on connection: OpaquePointer)
  -> MHD_Result
{
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
  _ = requestId.withCString { MHD_add_response_header(created, "X-Request-Id", $0) }
  for header in response.headers {
    _ = header.name.withCString { name in
      header.value.withCString { MHD_add_response_header(created, name, $0) }
    }
  }
  return MHD_queue_response(connection, UInt32(response.status), created)
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

  /// Every value of `kind`, in order.
  func values(kind: MHD_ValueKind) -> [(name: String, value: String)] {
    let box = ValuesBox()
    _ = MHD_get_connection_values(
      pointer, kind, mhdCollectValue, Unmanaged.passUnretained(box).toOpaque())
    return box.values
  }
}

/// Where `mhdCollectValue` puts what libmicrohttpd hands it.
private final class ValuesBox {
  var values: [(name: String, value: String)] = []
}

/// libmicrohttpd's iterator over a request's values: a plain function, as a C callback.
private func mhdCollectValue(
  _ context: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind, _ key: UnsafePointer<CChar>?,
  _ value: UnsafePointer<CChar>?
) -> MHD_Result {
  guard let context, let key else { return mhd_yes() }
  let box = Unmanaged<ValuesBox>.fromOpaque(context).takeUnretainedValue()
  box.values.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
  return mhd_yes()
}
