/*
 * NOT_SUPPORTED, from both places that answer it: KVM, for IDs outside the
 * forwarding plan (OEM IDs just past the probe's range, a SiP ID), and the
 * provider, for unimplemented IDs inside a planned range (probe and TRNG).
 * A provider's NOT_SUPPORTED writes x0 only; KVM's also zeroes x1..x3, so
 * for those only x0 is checked.
 * (A planned range whose provider is gone: provider_gone.c.)
 */
#include "guest.h"
#include "tap.h"

static const char* const kConduitName[] = {"hvc", "smc"};

// An ID KVM answers: only x0 is the guest's to check.
static void check_unplanned(uint32_t fid, enum conduit conduit, const char* what) {
  uint64_t regs[SMCCC_REGS];
  smccc_prepare(regs, fid, 0x1111, 0x4e00);
  smccc(conduit, regs);
  const int smc32 = !(fid & 0x40000000u);
  tap_eq(smc32 ? (uint32_t)regs[0] : regs[0], smc32 ? SMCCC32_NOT_SUPPORTED : SMCCC_NOT_SUPPORTED,
         "0x%x via %s (%s, outside the plan): KVM answers NOT_SUPPORTED", fid,
         kConduitName[conduit], what);
}

// An ID a provider owns but does not implement: x0 only, the rest kept.
static void check_unimplemented(uint32_t fid, enum conduit conduit, const char* what) {
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, fid, 0x2222, 0x4e01);
  smccc_prepare(want, fid, 0x2222, 0x4e01);
  const int smc32 = !(fid & 0x40000000u);
  want[0] = smc32 ? SMCCC32_NOT_SUPPORTED : SMCCC_NOT_SUPPORTED;
  smccc(conduit, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "0x%x via %s (%s): provider answers NOT_SUPPORTED, x1..x17 kept", fid,
           kConduitName[conduit], what);
}

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(11);
  check_unplanned(PROBE_LAST64 + 1, CONDUIT_HVC, "OEM, past the probe range");
  check_unplanned(PROBE_LAST64 + 1, CONDUIT_SMC, "OEM, past the probe range");
  check_unplanned(PROBE_LAST32 + 1, CONDUIT_HVC, "OEM SMC32, past the probe range");
  check_unplanned(0xc2000000u, CONDUIT_HVC, "SiP");
  check_unimplemented(PROBE_UNIMPLEMENTED64, CONDUIT_HVC, "probe, first unimplemented");
  check_unimplemented(PROBE_LAST64, CONDUIT_SMC, "probe, unimplemented");
  check_unimplemented(PROBE_LAST32, CONDUIT_HVC, "probe SMC32, unimplemented");
  check_unimplemented(0x84000054u, CONDUIT_HVC, "TRNG range, unimplemented");
  check_unimplemented(0x8400005fu, CONDUIT_HVC, "TRNG range, unimplemented");
  check_unimplemented(0xc4000050u, CONDUIT_HVC, "TRNG range, no SMC64 VERSION");

  // The broker still answers after all that.
  uint64_t regs[SMCCC_REGS];
  smccc_prepare(regs, PROBE_WHO64, 7, 0);
  smccc(CONDUIT_HVC, regs);
  tap_ok(regs[0] == 0 && regs[2] == 8, "probe WHO still answers afterwards (x0 0x%lx x2 0x%lx)",
         regs[0], regs[2]);
  return tap_end();
}
