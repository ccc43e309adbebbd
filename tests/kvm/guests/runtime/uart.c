#include "uart.h"

#include <stdint.h>

#include "platform.h"

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void uart_putc(char c) {
  volatile uint8_t* uart = (volatile uint8_t*)UART_BASE;
  while (!(uart[UART_LSR] & UART_LSR_THRE)) {
  }
  uart[UART_THR] = (uint8_t)c;
}

void uart_puts(const char* s) {
  while (*s) uart_putc(*s++);
}

void uart_printf(const char* format, ...) {
  char line[256];
  va_list args;
  va_start(args, format);
  format_v(line, sizeof(line), format, args);
  va_end(args);
  uart_puts(line);
}
