#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H

// SwiftPM drops pkg-config's -D_XOPEN_SOURCE flags; without these the wide-character API
// (wget_wch, cchar_t) is compiled out of the header.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <sys/ioctl.h>
#include <ncursesw/curses.h>

// Declared by <wchar.h> only under _XOPEN_SOURCE, which Glibc's Swift module does not set.
int wcwidth(wchar_t c);

// C globals and macros Swift 6 cannot touch: stdscr, LINES and COLS are mutable globals,
// the rest are macros with arguments or casts.
static inline WINDOW *cnc_stdscr(void) { return stdscr; }
static inline int cnc_lines(void) { return LINES; }
static inline int cnc_cols(void) { return COLS; }
static inline int cnc_key_f(int n) { return KEY_F(n); }
static inline int cnc_err(void) { return ERR; }
static inline int cnc_ok(void) { return OK; }
static inline int cnc_key_code_yes(void) { return KEY_CODE_YES; }
static inline attr_t cnc_a_normal(void) { return A_NORMAL; }
static inline attr_t cnc_a_bold(void) { return A_BOLD; }
static inline attr_t cnc_a_reverse(void) { return A_REVERSE; }
static inline attr_t cnc_a_dim(void) { return A_DIM; }
static inline attr_t cnc_a_underline(void) { return A_UNDERLINE; }

// Fixed-argument forms of calls that are macros (mv*, attr_set with a pair number).
static inline int cnc_put(WINDOW *window, int y, int x, const char *utf8) {
  return mvwaddstr(window, y, x, utf8);
}
static inline int cnc_set_attributes(WINDOW *window, attr_t attributes, short pair) {
  return wattr_set(window, attributes, pair, NULL);
}
static inline int cnc_move(WINDOW *window, int y, int x) { return wmove(window, y, x); }

// ioctl is variadic, which Swift cannot call. The loop polls the tty's size with it: under
// this program ncurses installed no SIGWINCH handler (never KEY_RESIZE), and adding our
// own would fight ncurses' where it does install one.
// Returns 0 with the size, 1 when the terminal reports no size (0x0: some ptys and serial
// lines; keep what ncurses has), -1 when the terminal is gone.
static inline int cnc_tty_size(int fd, int *rows, int *columns) {
  struct winsize size;
  if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
  if (size.ws_row == 0 || size.ws_col == 0) return 1;
  *rows = size.ws_row;
  *columns = size.ws_col;
  return 0;
}

// Whether the terminal named by TERM can move the cursor (terminfo's `cup`): the till
// draws whole screens and refuses, with one clear line, a terminal that cannot (TERM=dumb,
// a printing terminal, an unknown name). Asked before initscr, which would exit on its own.
// setupterm is declared here, not through <term.h>, whose macros (`columns`, `lines`)
// would rewrite ordinary names in this header.
int setupterm(const char *term, int fd, int *error);
// 1: it can; 0: it cannot; -1: terminfo does not know the terminal.
static inline int cnc_can_address_cursor(void) {
  int error = 0;
  if (setupterm(NULL, 1, &error) != OK) return -1;
  char *move = tigetstr("cup");
  return move != NULL && move != (char *)-1;
}

#endif
