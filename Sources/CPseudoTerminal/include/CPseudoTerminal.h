#ifndef CPSEUDOTERMINAL_H
#define CPSEUDOTERMINAL_H

#include <stddef.h>

// posix_openpt, grantpt, unlockpt and ptsname are hidden from Swift's Glibc module unless
// _XOPEN_SOURCE is defined; this one call does all four. Returns the master descriptor (or
// -1) and writes the slave's path into `name`.
int cpt_open_master(char *name, size_t size);

#endif
