#ifndef CPOSTGRESQL_SHIM_H
#define CPOSTGRESQL_SHIM_H

// Debian's libpq-dev keeps the client header under postgresql/ (so no -I from pkg-config).
#include <postgresql/libpq-fe.h>

// PG_DIAG_SQLSTATE is a character-literal macro, which Swift does not import.
static inline const char *cpq_sqlstate(const PGresult *result) {
  return PQresultErrorField(result, PG_DIAG_SQLSTATE);
}

// libpq prints every NOTICE ("relation already exists, skipping") to stderr by default; the
// server's log is where such notes belong. A C callback, so that no Swift closure has to be
// handed to C.
static void cpq_ignore_notice(void *argument, const char *message) {
  (void)argument;
  (void)message;
}

static inline void cpq_silence_notices(PGconn *connection) {
  PQsetNoticeProcessor(connection, cpq_ignore_notice, 0);
}

#endif
