/*
 * Console output on the platform's ns16550a, and a small printf for it
 * (freestanding: no libc). Formats: %s %c %d %u %x (int), %ld %lu %lx
 * (64-bit), %%; hex has no 0x prefix. Not safe from two vCPUs at once: in
 * the conformance guests only vCPU 0 prints.
 */
#ifndef HYPERCALL_GUESTS_UART_H_
#define HYPERCALL_GUESTS_UART_H_

#include <stdarg.h>
#include <stddef.h>

void uart_putc(char c);
void uart_puts(const char* s);
void uart_printf(const char* format, ...) __attribute__((format(printf, 1, 2)));

/* Formats into buf (always NUL-terminated, truncated to size - 1 chars). */
void format_v(char* buf, size_t size, const char* format, va_list args);

#endif /* HYPERCALL_GUESTS_UART_H_ */
