/*
 * NOT_SUPPORTED for a planned range whose provider is gone. The range is the
 * C++ SDK example's (hypercall-example-provider, an external provider named
 * in L1's hypercalld config: fast SMC64 0xC3000100-0xC300010F, +0 ECHO
 * answers x1..x3 back). L1's /init starts the provider before this guest and
 * kill -9s it once hypercalld counted a call of this guest's; the guest
 * calls ECHO until the answer changes, then expects NOT_SUPPORTED from the
 * daemon with x1..x17 kept, in the same VM, whose plan still holds the range.
 */
#include "guest.h"
#include "tap.h"

/* Guest seconds to wait for the provider to go (L1 kills it in a few). */
#define GONE_TIMEOUT_S 100

// One ECHO call with `arg1` and sentinels elsewhere; `want` gets what a
// served call answers (x0 SUCCESS, x1..x3 echoed, the rest kept).
static void echo(uint64_t regs[SMCCC_REGS], uint64_t want[SMCCC_REGS], uint64_t arg1) {
  smccc_prepare(regs, EXAMPLE_ECHO64, arg1, 0x9e00);
  smccc_prepare(want, EXAMPLE_ECHO64, arg1, 0x9e00);
  want[0] = SMCCC_SUCCESS;
  smccc(CONDUIT_HVC, regs);
}

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(3);
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  echo(regs, want, 0x600d);
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "0x%x via hvc while the external provider runs: served (x0 SUCCESS, x1..x3 echoed)",
           EXAMPLE_ECHO64);

  // Until the provider is gone: every answer is either served or not.
  const uint64_t hz = counter_hz(), start = counter_now();
  unsigned long served = 0;
  uint64_t arg = 1;
  for (;;) {
    echo(regs, want, arg++);
    if (regs[0] != SMCCC_SUCCESS) break;
    ++served;
    if (counter_now() - start > GONE_TIMEOUT_S * hz) {
      tap_note("the provider still answered after %d s", GONE_TIMEOUT_S);
      break;
    }
  }
  tap_note("%lu more calls served before the provider went away", served);
  want[0] = SMCCC_NOT_SUPPORTED;
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "0x%x after kill -9 of its provider: NOT_SUPPORTED, x1..x17 kept", EXAMPLE_ECHO64);

  echo(regs, want, 0xabcd);
  want[0] = SMCCC_NOT_SUPPORTED;
  tap_regs(regs, want, SMCCC_ALL_REGS, "0x%x again: still NOT_SUPPORTED, x1..x17 kept",
           EXAMPLE_ECHO64);
  return tap_end();
}
