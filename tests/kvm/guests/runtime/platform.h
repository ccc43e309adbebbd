/*
 * The machine hypercall-vmm gives a bare-metal guest (its ABI to guests, see
 * vmm-shim/vmm/platform.h): where RAM, the UART and the exit device are, and
 * the vCPU layout KVM uses. Also the limits of this runtime.
 */
#ifndef HYPERCALL_GUESTS_PLATFORM_H_
#define HYPERCALL_GUESTS_PLATFORM_H_

/* The image is loaded (and linked) at the start of RAM. */
#define GUEST_RAM_BASE 0x40000000
/* ns16550a: THR at +0, LSR at +5 (bit 5: room for a byte). */
#define UART_BASE 0x09000000
/* A 32-bit store of V at +0 ends the VM; hypercall-vmm exits with V & 0xff. */
#define EXIT_DEVICE_BASE 0x09010000

/* vCPUs this runtime gives a stack to; others park at once. */
#define GUEST_MAX_CPUS 8
#define GUEST_STACK_SIZE 16384

#ifndef __ASSEMBLER__
#include <stdint.h>

/* MPIDR_EL1 KVM gives vCPU `index` (Aff0 = index[3:0], Aff1 = index[11:4]). */
static inline uint64_t cpu_mpidr(unsigned index) {
  return (index & 0xfu) | ((uint64_t)((index >> 4) & 0xffu) << 8);
}

/* The calling vCPU's index, from its MPIDR_EL1. */
static inline unsigned cpu_index(void) {
  uint64_t mpidr;
  __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
  return (unsigned)((mpidr & 0xf) | (((mpidr >> 8) & 0xff) << 4));
}
#endif

#endif /* HYPERCALL_GUESTS_PLATFORM_H_ */
