/* format_v(): the printf subset the guests need (see uart.h). */
#include <stdint.h>

#include "uart.h"

struct out {
  char* buf;
  size_t size;
  size_t len;
};

static void put(struct out* out, char c) {
  if (out->len + 1 < out->size) out->buf[out->len++] = c;
}

static void put_unsigned(struct out* out, uint64_t value, unsigned base) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[value % base];
    value /= base;
  } while (value != 0);
  while (n > 0) put(out, digits[--n]);
}

void format_v(char* buf, size_t size, const char* format, va_list args) {
  struct out out = {buf, size, 0};
  for (const char* p = format; *p; ++p) {
    if (*p != '%') {
      put(&out, *p);
      continue;
    }
    ++p;
    const int is_long = *p == 'l';
    if (is_long) ++p;
    switch (*p) {
      case 's':
        for (const char* s = va_arg(args, const char*); *s; ++s) put(&out, *s);
        break;
      case 'c':
        put(&out, (char)va_arg(args, int));
        break;
      case 'd': {
        const int64_t v = is_long ? va_arg(args, int64_t) : va_arg(args, int);
        if (v < 0) put(&out, '-');
        put_unsigned(&out, v < 0 ? -(uint64_t)v : (uint64_t)v, 10);
        break;
      }
      case 'u':
      case 'x': {
        const uint64_t v = is_long ? va_arg(args, uint64_t) : va_arg(args, unsigned);
        put_unsigned(&out, v, *p == 'u' ? 10 : 16);
        break;
      }
      case '%':
        put(&out, '%');
        break;
      default:
        put(&out, '?');
        if (*p == '\0') --p;
        break;
    }
  }
  if (size > 0) buf[out.len] = '\0';
}
