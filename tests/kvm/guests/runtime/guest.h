/*
 * What a conformance guest implements and what the runtime gives it: the
 * entry points called by start.S, ending the VM, PSCI for the other vCPUs,
 * and the virtual counter.
 */
#ifndef HYPERCALL_GUESTS_GUEST_H_
#define HYPERCALL_GUESTS_GUEST_H_

#include <stddef.h>
#include <stdint.h>

/* The C library this runtime has (lib.c; the compiler may call them too). */
void* memset(void* dst, int c, size_t n);
void* memcpy(void* dst, const void* src, size_t n);

/* vCPU 0's work; returns the number of failed checks (tap_end()). */
int guest_main(uint64_t device_tree);

/* The work of vCPU `cpu` (>= 1) once psci_cpu_on() started it; it powers
 * off when this returns. The runtime's default returns at once. */
void secondary_main(unsigned cpu);

/* Ends the VM: writes `status` to the exit device (hypercall-vmm exits
 * with status & 0xff), then tries PSCI SYSTEM_OFF. */
__attribute__((noreturn)) void guest_exit(uint32_t status);

/* Starts vCPU `cpu` at the runtime's entry (then secondary_main(cpu)).
 * Returns the PSCI code: 0 on success, -2 (INVALID_PARAMETERS) when there
 * is no such vCPU, -4 (ALREADY_ON). */
int64_t psci_cpu_on(unsigned cpu);

/* Powers the calling vCPU off; returns only on failure. */
void psci_cpu_off(void);

/* The virtual counter and its frequency (Hz). */
static inline uint64_t counter_now(void) {
  uint64_t ticks;
  __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(ticks)::"memory");
  return ticks;
}
static inline uint64_t counter_hz(void) {
  uint64_t hz;
  __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
  return hz;
}

/* Waits until another vCPU sets *flag (then orders what it wrote before it
 * with memory_barrier()). Returns 1, or 0 after `seconds`. */
int wait_for_flag(volatile uint32_t* flag, unsigned seconds);

/* Orders this vCPU's memory accesses before what follows, for flags shared
 * between vCPUs (plain loads and stores: with the MMU off memory is Device,
 * where exclusives may not work). */
static inline void memory_barrier(void) { __asm__ volatile("dsb sy" ::: "memory"); }

#endif /* HYPERCALL_GUESTS_GUEST_H_ */
