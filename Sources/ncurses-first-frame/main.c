// The time-to-first-frame baseline for voucher-bench: the least a program can do to put
// one full 80x24 frame on a terminal with ncursesw, then leave.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/curses.h>

int main(void) {
  setlocale(LC_ALL, "");
  initscr();
  cbreak();
  noecho();
  for (int row = 0; row < 24; row++) {
    for (int column = 0; column < 80; column++) {
      mvaddch(row, column, (row == 0 || row == 23) ? '=' : ' ');
    }
  }
  mvaddstr(11, 30, "first frame");
  mvaddstr(23, 0, "READY");
  refresh();
  endwin();
  return 0;
}
