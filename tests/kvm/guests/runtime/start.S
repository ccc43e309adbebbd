/*
 * Entry of every vCPU. vCPU 0 comes here from the VMM (x0 = the device
 * tree's address); the others come here from PSCI CPU_ON (x0 = its context
 * argument). Each takes the stack of its index (from MPIDR_EL1) and installs
 * the exception vectors; vCPU 0 then clears .bss, runs guest_main() and exits
 * with its result; the others run secondary_main() and power off.
 */
#include "platform.h"

  .section .text.start, "ax"
  .globl _start
_start:
  mrs x19, mpidr_el1
  and x20, x19, #0xf            /* index = Aff0[3:0] + 16 * Aff1 */
  ubfx x21, x19, #8, #8
  add x20, x20, x21, lsl #4
  cmp x20, #GUEST_MAX_CPUS
  b.hs park

  ldr x1, =__stacks_start
  mov x2, #GUEST_STACK_SIZE
  madd x1, x20, x2, x1
  add sp, x1, x2

  ldr x1, =exception_vectors
  msr vbar_el1, x1
  isb

  cbnz x20, secondary

  ldr x1, =__bss_start
  ldr x2, =__bss_end
1:
  cmp x1, x2
  b.hs 2f
  str xzr, [x1], #8
  b 1b
2:
  bl guest_main                 /* x0: the device tree */
  bl guest_exit                 /* x0: the failure count */

secondary:
  mov x0, x20
  bl secondary_main
  bl psci_cpu_off
park:
  wfe
  b park
