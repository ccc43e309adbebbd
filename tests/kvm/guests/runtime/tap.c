#include "tap.h"

#include <stdarg.h>

#include "uart.h"

static int planned_checks = -1;
static int checks;
static int failures;

void tap_begin(int planned) {
  uart_puts("TAP version 13\n");
  if (planned > 0) tap_plan(planned);
}

void tap_plan(int planned) {
  planned_checks = planned;
  uart_printf("1..%d\n", planned);
}

/* "ok N - what" or "not ok N - what", without the newline. */
static bool result_line(bool ok, const char* format, va_list args) {
  char what[192];
  format_v(what, sizeof(what), format, args);
  ++checks;
  if (!ok) ++failures;
  uart_printf("%sok %d - %s", ok ? "" : "not ", checks, what);
  return ok;
}

bool tap_ok(bool ok, const char* format, ...) {
  va_list args;
  va_start(args, format);
  result_line(ok, format, args);
  va_end(args);
  uart_putc('\n');
  return ok;
}

bool tap_eq(uint64_t got, uint64_t want, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const bool ok = result_line(got == want, format, args);
  va_end(args);
  if (!ok) uart_printf(" # got 0x%lx want 0x%lx", got, want);
  uart_putc('\n');
  return ok;
}

bool tap_regs(const uint64_t got[SMCCC_REGS], const uint64_t want[SMCCC_REGS], uint32_t mask,
              const char* format, ...) {
  int first_bad = -1;
  for (int i = 0; i < SMCCC_REGS && first_bad < 0; ++i) {
    if (((mask >> i) & 1) && got[i] != want[i]) first_bad = i;
  }
  va_list args;
  va_start(args, format);
  const bool ok = result_line(first_bad < 0, format, args);
  va_end(args);
  if (!ok) {
    uart_printf(" # x%d got 0x%lx want 0x%lx", first_bad, got[first_bad], want[first_bad]);
  }
  uart_putc('\n');
  for (int i = first_bad + 1; !ok && i < SMCCC_REGS; ++i) {
    if (((mask >> i) & 1) && got[i] != want[i]) {
      tap_note("x%d got 0x%lx want 0x%lx", i, got[i], want[i]);
    }
  }
  return ok;
}

void tap_note(const char* format, ...) {
  char text[224];
  va_list args;
  va_start(args, format);
  format_v(text, sizeof(text), format, args);
  va_end(args);
  uart_printf("# %s\n", text);
}

int tap_end(void) {
  if (planned_checks != checks) {
    tap_note("planned %d checks but ran %d", planned_checks, checks);
    return failures + 1;
  }
  return failures;
}
