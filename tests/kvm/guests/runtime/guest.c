/* The runtime's side of guest.h: exit, PSCI, waiting on other vCPUs and the exception
 * report. */
#include "guest.h"

#include "platform.h"
#include "smccc.h"
#include "uart.h"

extern char _start[];

__attribute__((weak)) void secondary_main(unsigned cpu) { (void)cpu; }

void guest_exit(uint32_t status) {
  *(volatile uint32_t*)EXIT_DEVICE_BASE = status;
  uint64_t regs[SMCCC_REGS] = {PSCI_SYSTEM_OFF};
  smccc(CONDUIT_HVC, regs);
  for (;;) __asm__ volatile("wfi");
}

int64_t psci_cpu_on(unsigned cpu) {
  uint64_t regs[SMCCC_REGS] = {PSCI_CPU_ON64, cpu_mpidr(cpu), (uint64_t)_start, cpu};
  smccc(CONDUIT_HVC, regs);
  return (int64_t)regs[0];
}

void psci_cpu_off(void) {
  uint64_t regs[SMCCC_REGS] = {PSCI_CPU_OFF};
  smccc(CONDUIT_HVC, regs);
}

/* From vectors.S: no exception is expected, so report it and fail. */
__attribute__((noreturn)) void guest_exception(uint64_t kind, uint64_t esr, uint64_t elr,
                                               uint64_t far) {
  uart_printf(
      "# vCPU %u: unexpected exception (vector %lu) ESR_EL1=0x%lx ELR_EL1=0x%lx "
      "FAR_EL1=0x%lx\nBail out! unexpected exception\n",
      cpu_index(), kind, esr, elr, far);
  guest_exit(255);
}

int wait_for_flag(volatile uint32_t* flag, unsigned seconds) {
  const uint64_t deadline = counter_now() + seconds * counter_hz();
  while (!*flag) {
    if (counter_now() > deadline) return 0;
  }
  memory_barrier();
  return 1;
}
