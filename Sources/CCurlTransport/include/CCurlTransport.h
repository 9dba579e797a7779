#ifndef CCURLTRANSPORT_H
#define CCURLTRANSPORT_H

#include <stddef.h>

// HTTPS for the REST client through libcurl, loaded with dlopen on first use: linking it (or
// FoundationNetworking, which links it) would make every till start pay for ~30 libraries,
// though only tills with an https endpoint need it. No curl header is used: the few
// prototypes and constants live in curl_transport.c.

/// Loads libcurl once (later calls return the first answer). Returns 1 when it is usable;
/// otherwise 0 with the reason in `reason`.
int cct_load(char *reason, size_t size);

/// One curl easy handle: it keeps its own connections alive between exchanges. Use it from
/// one thread at a time. NULL when libcurl is not loaded or out of memory.
typedef struct cct_handle cct_handle;
cct_handle *cct_handle_new(void);
void cct_handle_free(cct_handle *handle);

/// How an exchange ended, in the terms the REST client decides on.
typedef enum {
  /// An HTTP answer arrived (any status).
  CCT_ANSWERED = 0,
  /// The request surely did not arrive (no name, no connection, no TLS session).
  CCT_NOT_SENT = 1,
  /// The time ran out: the request may have arrived.
  CCT_TIMED_OUT = 2,
  /// The exchange broke after the request may have been sent.
  CCT_LOST = 3,
} cct_outcome;

typedef struct {
  cct_outcome outcome;
  long status;
  /// The answer's body (malloc'd; NULL when empty): release with cct_result_free.
  unsigned char *body;
  size_t body_length;
  /// libcurl's sentence for a failure; empty when answered.
  char message[256];
} cct_result;

/// One exchange on `handle`.
/// - headers: "Name: value" lines separated by '\n'.
/// - has_body: 0 for a request without a body; `body` may be NULL when it is empty.
/// - fresh_connection: 1 to open a new connection (a request that must not be repeated:
///   libcurl re-sends a request on its own when a reused connection turns out dead).
/// - ca_file: a PEM bundle to trust instead of the system's, or NULL.
/// - body_limit: a larger answer fails as CCT_LOST.
void cct_perform(
    cct_handle *handle, const char *method, const char *url, const char *headers,
    int has_body, const void *body, size_t body_length, long timeout_ms, int fresh_connection,
    const char *ca_file, size_t body_limit, cct_result *result);

void cct_result_free(cct_result *result);

/// `result->message` as a C string (Swift reads a fixed array only as a tuple).
const char *cct_result_message(const cct_result *result);

#endif
