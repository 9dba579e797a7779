#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a destructor pointer; Swift cannot import it.
// Binding with it makes SQLite copy the bytes, so Swift buffers may go away after the call.
static inline sqlite3_destructor_type csq_transient(void) { return SQLITE_TRANSIENT; }

#endif
