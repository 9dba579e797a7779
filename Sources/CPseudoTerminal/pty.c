#define _XOPEN_SOURCE 600
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "CPseudoTerminal.h"

int cpt_open_master(char *name, size_t size) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0) return -1;
  if (grantpt(master) != 0 || unlockpt(master) != 0) {
    close(master);
    return -1;
  }
  const char *path = ptsname(master);
  if (path == NULL || strlen(path) + 1 > size) {
    close(master);
    return -1;
  }
  strcpy(name, path);
  return master;
}
