#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro casting -1 to a destructor pointer; Swift cannot import it.
// Binding with it makes SQLite copy the bytes, so Swift buffers may go away after the call.
static inline sqlite3_destructor_type csq_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_config is variadic. Memory statistics cost a global mutex around every SQLite
// allocation (about twenty per lookup); nothing here reads them. Must run before SQLite
// initialises (the first open); later it returns SQLITE_MISUSE and changes nothing.
static inline int csq_disable_memory_statistics(void) {
  return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

#endif
