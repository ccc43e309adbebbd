/*
 * Both conduits reach hypercalld: probe WHO and ECHO_ALL through HVC #0 and
 * SMC #0 come back from the provider (with the registers it does not write
 * left alone), and calls KVM answers itself (SMCCC_VERSION, PSCI_VERSION)
 * still work beside the forwarded ranges.
 */
#include "guest.h"
#include "tap.h"

static const char* const kConduitName[] = {"hvc", "smc"};

/* WHO on vCPU 0: x0 = 0, x1 = 0, x2 = arg + 1, x3..x17 as the guest left them. */
static void check_who(enum conduit conduit) {
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  const uint64_t arg = 0x0123456789abcdefull + conduit;
  smccc_prepare(regs, PROBE_WHO64, arg, 0xc0d0 + conduit);
  smccc_prepare(want, PROBE_WHO64, arg, 0xc0d0 + conduit);
  want[0] = SMCCC_SUCCESS;
  want[1] = 0;
  want[2] = arg + 1;
  smccc(conduit, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "%s conduit reaches the probe provider (WHO: x0..x2 written, x3..x17 kept)",
           kConduitName[conduit]);
}

static void check_echo_all(enum conduit conduit) {
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  regs[0] = PROBE_ECHO_ALL64;
  want[0] = SMCCC_SUCCESS;
  for (int i = 1; i < SMCCC_REGS; ++i) {
    regs[i] = 0xa5a5000000000000ull | ((uint64_t)conduit << 40) | (uint64_t)i << 8;
    want[i] = regs[i] + i * PROBE_ECHO_STEP;
  }
  smccc(conduit, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS, "%s conduit: ECHO_ALL delivers x0..x17",
           kConduitName[conduit]);
}

static void check_kvm_answers(enum conduit conduit) {
  uint64_t regs[SMCCC_REGS] = {SMCCC_VERSION};
  smccc(conduit, regs);
  tap_ok(regs[0] >= 0x10001 && regs[0] < 0x80000000,
         "%s conduit: KVM answers SMCCC_VERSION itself (got 0x%lx, want >= 1.1)",
         kConduitName[conduit], regs[0]);
}

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(7);
  for (int c = CONDUIT_HVC; c <= CONDUIT_SMC; ++c) {
    check_who((enum conduit)c);
    check_echo_all((enum conduit)c);
    check_kvm_answers((enum conduit)c);
  }
  uint64_t regs[SMCCC_REGS] = {PSCI_VERSION};
  smccc(CONDUIT_HVC, regs);
  tap_ok((regs[0] >> 16) >= 1 && regs[0] < 0x80000000,
         "KVM's PSCI answers PSCI_VERSION beside the forwarded ranges (got 0x%lx)", regs[0]);
  return tap_end();
}
