#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <microhttpd.h>

// MHD_start_daemon is variadic, which Swift cannot call: this wrapper fixes the options the
// server uses. It binds `host` (a dotted IPv4 address) and `port` (0 picks a free one), gives
// each connection a thread of its own (`threads` 0) or runs a pool of `threads` polling
// threads, closes connections idle for `timeout_seconds`, caps each connection's
// header/buffer memory at `memory_limit` bytes (larger headers get 431), allows
// `connection_limit` connections in all and `per_ip_limit` per client address (0: no
// limit), tells `notify` when a connection opens and closes, and gives `uri_log` each
// request's target as sent (before decoding, so %00 cannot cut it). Returns NULL on failure
// (bad address, port in use).
static inline struct MHD_Daemon *mhd_start(
    const char *host, uint16_t port, unsigned int threads, unsigned int timeout_seconds,
    size_t memory_limit, unsigned int connection_limit, unsigned int per_ip_limit,
    MHD_AccessHandlerCallback handler, void *handler_context,
    MHD_RequestCompletedCallback completed, MHD_NotifyConnectionCallback notify,
    void *(*uri_log)(void *, const char *, struct MHD_Connection *), void *context) {
  struct sockaddr_in address;
  memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (inet_pton(AF_INET, host, &address.sin_addr) != 1) return NULL;
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG
                       | MHD_USE_AUTO;
  if (threads == 0) {
    return MHD_start_daemon(
        flags | MHD_USE_THREAD_PER_CONNECTION, port, NULL, NULL, handler, handler_context,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
        MHD_OPTION_CONNECTION_LIMIT, connection_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_limit,
        MHD_OPTION_NOTIFY_COMPLETED, completed, context,
        MHD_OPTION_NOTIFY_CONNECTION, notify, context,
        MHD_OPTION_URI_LOG_CALLBACK, uri_log, context,
        MHD_OPTION_END);
  }
  return MHD_start_daemon(
      flags, port, NULL, NULL, handler, handler_context,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
      MHD_OPTION_THREAD_POOL_SIZE, threads,
      MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
      MHD_OPTION_CONNECTION_LIMIT, connection_limit,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_limit,
      MHD_OPTION_NOTIFY_COMPLETED, completed, context,
      MHD_OPTION_NOTIFY_CONNECTION, notify, context,
      MHD_OPTION_URI_LOG_CALLBACK, uri_log, context,
      MHD_OPTION_END);
}

// MHD_get_connection_info is variadic: the socket (which the server's watchdog shuts down to
// end a connection past its deadline), the client's address as text, and the context the
// connect notification stored.
static inline int mhd_connection_fd(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  return info == NULL ? -1 : info->connect_fd;
}

static inline void mhd_client_address(
    struct MHD_Connection *connection, char *text, size_t size) {
  text[0] = 0;
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (info == NULL || info->client_addr == NULL) return;
  if (info->client_addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &((struct sockaddr_in *)info->client_addr)->sin_addr, text, size);
  } else if (info->client_addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &((struct sockaddr_in6 *)info->client_addr)->sin6_addr, text, size);
  }
}

static inline void *mhd_socket_context(struct MHD_Connection *connection) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info == NULL ? NULL : info->socket_context;
}

// MHD_get_daemon_info is variadic too; the port is what a caller that asked for 0 needs.
static inline uint16_t mhd_bound_port(struct MHD_Daemon *daemon) {
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info == NULL ? 0 : info->port;
}

// Enum constants as functions: Swift imports C enums as distinct types, and these keep the
// call sites free of casts.
static inline enum MHD_Result mhd_yes(void) { return MHD_YES; }
static inline enum MHD_Result mhd_no(void) { return MHD_NO; }
static inline enum MHD_ValueKind mhd_header_kind(void) { return MHD_HEADER_KIND; }
static inline enum MHD_ValueKind mhd_query_kind(void) { return MHD_GET_ARGUMENT_KIND; }
static inline enum MHD_ResponseMemoryMode mhd_must_copy(void) { return MHD_RESPMEM_MUST_COPY; }
static inline enum MHD_ConnectionNotificationCode mhd_notify_started(void) {
  return MHD_CONNECTION_NOTIFY_STARTED;
}

#endif
