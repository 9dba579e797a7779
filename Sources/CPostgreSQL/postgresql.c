#include "CPostgreSQL.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// libpq's functions as pointers, resolved once by cpq_load. The list gives each one's
// return type, name and parameters, so the pointers, their lookup and the cpq_ wrappers
// cannot disagree.
typedef void (*notice_processor)(void *argument, const char *message);

#define CPQ_FUNCTIONS(X)                                                                      \
  X(cpq_conn *, PQconnectdb, (const char *conninfo), (conninfo))                             \
  X(cpq_connection_status, PQstatus, (const cpq_conn *c), (c))                                \
  X(cpq_transaction_status, PQtransactionStatus, (const cpq_conn *c), (c))                    \
  X(char *, PQerrorMessage, (const cpq_conn *c), (c))                                         \
  X(void, PQfinish, (cpq_conn * c), (c))                                                      \
  X(cpq_result *, PQexec, (cpq_conn * c, const char *q), (c, q))                              \
  X(cpq_result *, PQprepare,                                                                  \
    (cpq_conn * c, const char *n, const char *q, int k, const cpq_oid *t), (c, n, q, k, t))   \
  X(cpq_result *, PQexecPrepared,                                                             \
    (cpq_conn * c, const char *n, int k, const char *const *v, const int *l, const int *f,    \
     int r),                                                                                  \
    (c, n, k, v, l, f, r))                                                                    \
  X(cpq_result *, PQgetResult, (cpq_conn * c), (c))                                           \
  X(int, PQputCopyData, (cpq_conn * c, const char *b, int k), (c, b, k))                      \
  X(int, PQputCopyEnd, (cpq_conn * c, const char *e), (c, e))                                 \
  X(cpq_exec_status, PQresultStatus, (const cpq_result *r), (r))                              \
  X(char *, PQresultErrorMessage, (const cpq_result *r), (r))                                 \
  X(char *, PQresultErrorField, (const cpq_result *r, int f), (r, f))                         \
  X(int, PQntuples, (const cpq_result *r), (r))                                               \
  X(char *, PQcmdTuples, (cpq_result * r), (r))                                               \
  X(char *, PQgetvalue, (const cpq_result *r, int t, int f), (r, t, f))                       \
  X(int, PQgetlength, (const cpq_result *r, int t, int f), (r, t, f))                         \
  X(int, PQgetisnull, (const cpq_result *r, int t, int f), (r, t, f))                         \
  X(void, PQclear, (cpq_result * r), (r))                                                     \
  X(notice_processor, PQsetNoticeProcessor, (cpq_conn * c, notice_processor p, void *a),      \
    (c, p, a))                                                                                \
  X(int, PQsendQueryPrepared,                                                                 \
    (cpq_conn * c, const char *n, int k, const char *const *v, const int *l, const int *f,    \
     int r),                                                                                  \
    (c, n, k, v, l, f, r))                                                                    \
  X(int, PQenterPipelineMode, (cpq_conn * c), (c))                                            \
  X(int, PQexitPipelineMode, (cpq_conn * c), (c))                                             \
  X(int, PQpipelineSync, (cpq_conn * c), (c))

#define CPQ_POINTER(type, name, parameters, arguments) type(*name) parameters;

static struct {
  int loaded;
  char reason[512];
  CPQ_FUNCTIONS(CPQ_POINTER)
} pq;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
  void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    const char *error = dlerror();
    snprintf(
        pq.reason, sizeof pq.reason,
        "libpq could not be loaded (%s); install it with: apt-get install -y libpq5 "
        "(or libpq-dev)",
        error ? error : "libpq.so.5 not found");
    return;
  }
#define CPQ_RESOLVE(type, name, parameters, arguments)                                        \
  *(void **)(&pq.name) = dlsym(library, #name);                                               \
  if (pq.name == NULL) {                                                                      \
    snprintf(pq.reason, sizeof pq.reason, "the libpq found has no %s (libpq5 too old?)",     \
             #name);                                                                          \
    return;                                                                                   \
  }
  CPQ_FUNCTIONS(CPQ_RESOLVE)
  pq.loaded = 1;
}

int cpq_load(char *reason, size_t size) {
  pthread_once(&load_once, load);
  if (!pq.loaded && reason != NULL && size > 0) snprintf(reason, size, "%s", pq.reason);
  return pq.loaded;
}

cpq_conn *cpq_connectdb(const char *conninfo) { return pq.PQconnectdb(conninfo); }
cpq_connection_status cpq_status(const cpq_conn *c) { return pq.PQstatus(c); }
cpq_transaction_status cpq_transaction_status_of(const cpq_conn *c) {
  return pq.PQtransactionStatus(c);
}
char *cpq_error_message(const cpq_conn *c) { return pq.PQerrorMessage(c); }
void cpq_finish(cpq_conn *c) { pq.PQfinish(c); }
cpq_result *cpq_exec(cpq_conn *c, const char *q) { return pq.PQexec(c, q); }
cpq_result *cpq_prepare(cpq_conn *c, const char *n, const char *q, int k, const cpq_oid *t) {
  return pq.PQprepare(c, n, q, k, t);
}
cpq_result *cpq_exec_prepared(
    cpq_conn *c, const char *n, int k, const char *const *v, const int *l, const int *f,
    int r) {
  return pq.PQexecPrepared(c, n, k, v, l, f, r);
}
cpq_result *cpq_get_result(cpq_conn *c) { return pq.PQgetResult(c); }
int cpq_put_copy_data(cpq_conn *c, const char *b, int k) { return pq.PQputCopyData(c, b, k); }
int cpq_put_copy_end(cpq_conn *c, const char *e) { return pq.PQputCopyEnd(c, e); }
cpq_exec_status cpq_result_status(const cpq_result *r) { return pq.PQresultStatus(r); }
char *cpq_result_error_message(const cpq_result *r) { return pq.PQresultErrorMessage(r); }
// PG_DIAG_SQLSTATE.
const char *cpq_sqlstate(const cpq_result *r) { return pq.PQresultErrorField(r, 'C'); }
int cpq_ntuples(const cpq_result *r) { return pq.PQntuples(r); }
char *cpq_cmd_tuples(cpq_result *r) { return pq.PQcmdTuples(r); }
char *cpq_get_value(const cpq_result *r, int t, int f) { return pq.PQgetvalue(r, t, f); }
int cpq_get_length(const cpq_result *r, int t, int f) { return pq.PQgetlength(r, t, f); }
int cpq_get_is_null(const cpq_result *r, int t, int f) { return pq.PQgetisnull(r, t, f); }
void cpq_clear(cpq_result *r) { pq.PQclear(r); }

int cpq_send_query_prepared(
    cpq_conn *c, const char *n, int k, const char *const *v, const int *l, const int *f,
    int r) {
  return pq.PQsendQueryPrepared(c, n, k, v, l, f, r);
}
int cpq_enter_pipeline_mode(cpq_conn *c) { return pq.PQenterPipelineMode(c); }
int cpq_exit_pipeline_mode(cpq_conn *c) { return pq.PQexitPipelineMode(c); }
int cpq_pipeline_sync(cpq_conn *c) { return pq.PQpipelineSync(c); }

static void ignore_notice(void *argument, const char *message) {
  (void)argument;
  (void)message;
}

void cpq_silence_notices(cpq_conn *c) { pq.PQsetNoticeProcessor(c, ignore_notice, NULL); }
