#ifndef CPOSTGRESQL_H
#define CPOSTGRESQL_H

#include <stddef.h>

// libpq, loaded with dlopen when a postgresql:// URL is first used: linking it would make
// every program of the package (the till too) load libpq and, through it, libssl, Kerberos
// and LDAP at each start (about 30 libraries), though only a chain's servers need it. No
// libpq header is used: the prototypes and constants below are libpq 5's stable ABI, and
// each cpq_ function calls the libpq function of the same name once loaded.

typedef struct cpq_conn cpq_conn;
typedef struct cpq_result cpq_result;
typedef unsigned int cpq_oid;

/// Loads libpq once (later calls return the first answer). Returns 1 when it is usable;
/// otherwise 0 with the reason in `reason`. Call it before any other cpq_ function.
int cpq_load(char *reason, size_t size);

/// ConnStatusType: only the value the store checks.
typedef enum { CPQ_CONNECTION_OK = 0, CPQ_CONNECTION_BAD = 1 } cpq_connection_status;

/// ExecStatusType.
typedef enum {
  CPQ_EMPTY_QUERY = 0,
  CPQ_COMMAND_OK = 1,
  CPQ_TUPLES_OK = 2,
  CPQ_COPY_OUT = 3,
  CPQ_COPY_IN = 4,
  CPQ_BAD_RESPONSE = 5,
  CPQ_NONFATAL_ERROR = 6,
  CPQ_FATAL_ERROR = 7,
  CPQ_COPY_BOTH = 8,
  CPQ_SINGLE_TUPLE = 9,
  CPQ_PIPELINE_SYNC = 10,
  CPQ_PIPELINE_ABORTED = 11,
} cpq_exec_status;

/// PGTransactionStatusType.
typedef enum {
  CPQ_TRANS_IDLE = 0,
  CPQ_TRANS_ACTIVE = 1,
  CPQ_TRANS_INTRANS = 2,
  CPQ_TRANS_INERROR = 3,
  CPQ_TRANS_UNKNOWN = 4,
} cpq_transaction_status;

cpq_conn *cpq_connectdb(const char *conninfo);
cpq_connection_status cpq_status(const cpq_conn *connection);
cpq_transaction_status cpq_transaction_status_of(const cpq_conn *connection);
char *cpq_error_message(const cpq_conn *connection);
void cpq_finish(cpq_conn *connection);

cpq_result *cpq_exec(cpq_conn *connection, const char *query);
cpq_result *cpq_prepare(
    cpq_conn *connection, const char *name, const char *query, int count,
    const cpq_oid *types);
cpq_result *cpq_exec_prepared(
    cpq_conn *connection, const char *name, int count, const char *const *values,
    const int *lengths, const int *formats, int result_format);
cpq_result *cpq_get_result(cpq_conn *connection);
int cpq_put_copy_data(cpq_conn *connection, const char *buffer, int count);
int cpq_put_copy_end(cpq_conn *connection, const char *error);

/// Pipeline mode (libpq 14 and later): several statements sent at once, their results read
/// in order, one round trip for all.
int cpq_send_query_prepared(
    cpq_conn *connection, const char *name, int count, const char *const *values,
    const int *lengths, const int *formats, int result_format);
int cpq_enter_pipeline_mode(cpq_conn *connection);
int cpq_exit_pipeline_mode(cpq_conn *connection);
int cpq_pipeline_sync(cpq_conn *connection);

cpq_exec_status cpq_result_status(const cpq_result *result);
char *cpq_result_error_message(const cpq_result *result);
/// The SQLSTATE field (PG_DIAG_SQLSTATE is a character-literal macro, which Swift does not
/// import); NULL when the server sent none.
const char *cpq_sqlstate(const cpq_result *result);
int cpq_ntuples(const cpq_result *result);
char *cpq_cmd_tuples(cpq_result *result);
char *cpq_get_value(const cpq_result *result, int row, int column);
int cpq_get_length(const cpq_result *result, int row, int column);
int cpq_get_is_null(const cpq_result *result, int row, int column);
void cpq_clear(cpq_result *result);

/// libpq prints every NOTICE ("relation already exists, skipping") to stderr by default; the
/// server's log is where such notes belong. A C callback, so that no Swift closure is handed
/// to C.
void cpq_silence_notices(cpq_conn *connection);

#endif
