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
// header/buffer memory at `memory_limit` bytes (larger headers get 431), and allows
// `per_ip_limit` connections per client address (0: no limit). Returns NULL on failure (bad
// address, port in use).
static inline struct MHD_Daemon *mhd_start(
    const char *host, uint16_t port, unsigned int threads, unsigned int timeout_seconds,
    size_t memory_limit, unsigned int per_ip_limit, MHD_AccessHandlerCallback handler,
    void *handler_context, MHD_RequestCompletedCallback completed, void *completed_context) {
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
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_limit,
        MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
        MHD_OPTION_END);
  }
  return MHD_start_daemon(
      flags, port, NULL, NULL, handler, handler_context,
      MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
      MHD_OPTION_THREAD_POOL_SIZE, threads,
      MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip_limit,
      MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
      MHD_OPTION_END);
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

#endif
