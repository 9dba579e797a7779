#include "CCurlTransport.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The part of curl.h this file uses. The values are libcurl's stable ABI (curl.h spells
// them as CURLOPTTYPE_* + n and CURLINFO_* + n); no curl header is needed to build.
typedef void CURL;
typedef int CURLcode;
struct curl_slist;

enum {
  CURLE_OK = 0,
  CURLE_COULDNT_RESOLVE_PROXY = 5,
  CURLE_COULDNT_RESOLVE_HOST = 6,
  CURLE_COULDNT_CONNECT = 7,
  CURLE_OPERATION_TIMEDOUT = 28,
};

enum {
  CURLOPT_WRITEDATA = 10001,
  CURLOPT_URL = 10002,
  CURLOPT_ERRORBUFFER = 10010,
  CURLOPT_WRITEFUNCTION = 20011,
  CURLOPT_POSTFIELDS = 10015,
  CURLOPT_HTTPHEADER = 10023,
  CURLOPT_CUSTOMREQUEST = 10036,
  CURLOPT_CAINFO = 10065,
  CURLOPT_FRESH_CONNECT = 74,
  CURLOPT_NOSIGNAL = 99,
  CURLOPT_TIMEOUT_MS = 155,
  CURLOPT_CONNECTTIMEOUT_MS = 156,
  CURLOPT_POSTFIELDSIZE_LARGE = 30120,
};

enum {
  CURLINFO_RESPONSE_CODE = 0x200000 + 2,
  CURLINFO_PRETRANSFER_TIME = 0x300000 + 6,
};

enum { CURL_GLOBAL_ALL = 3, CURL_ERROR_SIZE = 256 };

// curl_easy_setopt and curl_easy_getinfo are variadic: called through pointers of their
// true variadic type, so each argument is passed as a variadic argument, as libcurl reads it.
typedef CURLcode (*global_init_fn)(long flags);
typedef CURL *(*easy_init_fn)(void);
typedef void (*easy_cleanup_fn)(CURL *handle);
typedef void (*easy_reset_fn)(CURL *handle);
typedef CURLcode (*easy_setopt_fn)(CURL *handle, int option, ...);
typedef CURLcode (*easy_getinfo_fn)(CURL *handle, int info, ...);
typedef CURLcode (*easy_perform_fn)(CURL *handle);
typedef const char *(*easy_strerror_fn)(CURLcode code);
typedef struct curl_slist *(*slist_append_fn)(struct curl_slist *list, const char *line);
typedef void (*slist_free_all_fn)(struct curl_slist *list);

static struct {
  int loaded;
  char reason[512];
  easy_init_fn easy_init;
  easy_cleanup_fn easy_cleanup;
  easy_reset_fn easy_reset;
  easy_setopt_fn easy_setopt;
  easy_getinfo_fn easy_getinfo;
  easy_perform_fn easy_perform;
  easy_strerror_fn easy_strerror;
  slist_append_fn slist_append;
  slist_free_all_fn slist_free_all;
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void *symbol(void *library, const char *name) {
  void *found = dlsym(library, name);
  if (found == NULL && curl.reason[0] == '\0') {
    snprintf(curl.reason, sizeof curl.reason, "libcurl has no %s", name);
  }
  return found;
}

static void load(void) {
  // libcurl4 (OpenSSL) first; Debian's libcurl3-gnutls has the same ABI under another name.
  void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    const char *error = dlerror();
    snprintf(curl.reason, sizeof curl.reason, "%s", error ? error : "libcurl.so.4 not found");
    library = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return;
    curl.reason[0] = '\0';
  }
  global_init_fn global_init = (global_init_fn)symbol(library, "curl_global_init");
  curl.easy_init = (easy_init_fn)symbol(library, "curl_easy_init");
  curl.easy_cleanup = (easy_cleanup_fn)symbol(library, "curl_easy_cleanup");
  curl.easy_reset = (easy_reset_fn)symbol(library, "curl_easy_reset");
  curl.easy_setopt = (easy_setopt_fn)symbol(library, "curl_easy_setopt");
  curl.easy_getinfo = (easy_getinfo_fn)symbol(library, "curl_easy_getinfo");
  curl.easy_perform = (easy_perform_fn)symbol(library, "curl_easy_perform");
  curl.easy_strerror = (easy_strerror_fn)symbol(library, "curl_easy_strerror");
  curl.slist_append = (slist_append_fn)symbol(library, "curl_slist_append");
  curl.slist_free_all = (slist_free_all_fn)symbol(library, "curl_slist_free_all");
  if (curl.reason[0] != '\0') return;
  // Not thread-safe in older libcurl, hence once, before any handle exists.
  if (global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
    snprintf(curl.reason, sizeof curl.reason, "curl_global_init failed");
    return;
  }
  curl.loaded = 1;
}

int cct_load(char *reason, size_t size) {
  pthread_once(&load_once, load);
  if (!curl.loaded && reason != NULL && size > 0) snprintf(reason, size, "%s", curl.reason);
  return curl.loaded;
}

struct cct_handle {
  CURL *easy;
  char error[CURL_ERROR_SIZE];
};

cct_handle *cct_handle_new(void) {
  if (!cct_load(NULL, 0)) return NULL;
  cct_handle *handle = calloc(1, sizeof *handle);
  if (handle == NULL) return NULL;
  handle->easy = curl.easy_init();
  if (handle->easy == NULL) {
    free(handle);
    return NULL;
  }
  return handle;
}

void cct_handle_free(cct_handle *handle) {
  if (handle == NULL) return;
  curl.easy_cleanup(handle->easy);
  free(handle);
}

/// The answer's body as it arrives, refused past `limit`.
typedef struct {
  unsigned char *bytes;
  size_t length;
  size_t capacity;
  size_t limit;
  int too_large;
} sink;

static size_t collect(char *data, size_t size, size_t count, void *context) {
  sink *into = context;
  size_t length = size * count;
  if (length > into->limit - into->length) {
    into->too_large = 1;
    return 0;  // libcurl then stops with CURLE_WRITE_ERROR.
  }
  if (into->length + length > into->capacity) {
    size_t capacity = into->capacity ? into->capacity : 16384;
    while (capacity < into->length + length) capacity *= 2;
    unsigned char *grown = realloc(into->bytes, capacity);
    if (grown == NULL) return 0;
    into->bytes = grown;
    into->capacity = capacity;
  }
  memcpy(into->bytes + into->length, data, length);
  into->length += length;
  return length;
}

/// The header lines as a curl list; "Expect:" keeps libcurl from waiting for a
/// `100 Continue` before a large body.
static struct curl_slist *header_list(const char *headers) {
  struct curl_slist *list = curl.slist_append(NULL, "Expect:");
  const char *line = headers;
  while (list != NULL && line != NULL && *line != '\0') {
    const char *end = strchr(line, '\n');
    size_t length = end ? (size_t)(end - line) : strlen(line);
    char *copy = strndup(line, length);
    if (copy == NULL) break;
    list = curl.slist_append(list, copy);
    free(copy);
    line = end ? end + 1 : NULL;
  }
  return list;
}

static void fail(cct_result *result, cct_outcome outcome, const char *message) {
  result->outcome = outcome;
  snprintf(result->message, sizeof result->message, "%s", message);
}

void cct_perform(
    cct_handle *handle, const char *method, const char *url, const char *headers,
    int has_body, const void *body, size_t body_length, long timeout_ms, int fresh_connection,
    const char *ca_file, size_t body_limit, cct_result *result) {
  memset(result, 0, sizeof *result);
  if (handle == NULL) {
    fail(result, CCT_NOT_SENT, "libcurl is not loaded");
    return;
  }
  CURL *easy = handle->easy;
  // Options stay set on a handle between transfers; its connections and caches survive this.
  curl.easy_reset(easy);
  handle->error[0] = '\0';
  sink answer = {.limit = body_limit};
  struct curl_slist *list = header_list(headers);
  curl.easy_setopt(easy, CURLOPT_URL, url);
  // Threads must not get SIGALRM from libcurl's name lookups.
  curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms < 1 ? 1L : timeout_ms);
  curl.easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 1 ? 1L : timeout_ms);
  curl.easy_setopt(easy, CURLOPT_ERRORBUFFER, handle->error);
  curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
  curl.easy_setopt(easy, CURLOPT_WRITEDATA, (void *)&answer);
  curl.easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  curl.easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
  if (fresh_connection) curl.easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  if (ca_file != NULL) curl.easy_setopt(easy, CURLOPT_CAINFO, ca_file);
  if (has_body) {
    curl.easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (int64_t)body_length);
    // NULL would make libcurl read the body from a callback: an empty one needs a pointer.
    curl.easy_setopt(easy, CURLOPT_POSTFIELDS, body != NULL ? body : (const void *)"");
  }
  CURLcode code = curl.easy_perform(easy);
  long status = 0;
  double pretransfer = 0;
  curl.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl.easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME, &pretransfer);
  // The handle still points at the list (and the body) until the next reset, which reads
  // neither.
  curl.slist_free_all(list);

  const char *detail = handle->error[0] ? handle->error : curl.easy_strerror(code);
  if (code == CURLE_OK) {
    result->outcome = CCT_ANSWERED;
    result->status = status;
    result->body = answer.bytes;
    result->body_length = answer.length;
    return;
  }
  free(answer.bytes);
  if (answer.too_large) {
    char message[96];
    snprintf(message, sizeof message, "the server's answer is larger than %zu bytes", body_limit);
    fail(result, CCT_LOST, message);
  } else if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY
             || code == CURLE_COULDNT_CONNECT) {
    fail(result, CCT_NOT_SENT, detail);
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    fail(result, CCT_TIMED_OUT, detail);
  } else if (pretransfer <= 0) {
    // It failed before the transfer began (a refused certificate, a TLS failure): no byte
    // of the request left.
    fail(result, CCT_NOT_SENT, detail);
  } else {
    fail(result, CCT_LOST, detail);
  }
}

void cct_result_free(cct_result *result) {
  free(result->body);
  result->body = NULL;
  result->body_length = 0;
}

const char *cct_result_message(const cct_result *result) { return result->message; }
