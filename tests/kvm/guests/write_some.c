/*
 * Registers a result does not write keep the guest's values: probe
 * WRITE_SOME (x1 = mask; writes x0 = 0 and xi = ~i for each bit i set) with
 * the guest's own sentinel in every other register, for masks from none to
 * all. A broker that wrote back registers it did not produce, or leaked a
 * previous call's values, shows here.
 */
#include "guest.h"
#include "tap.h"

static const uint64_t kMasks[] = {
    0x0,      // x0 only
    0x2,      // x1 (the mask register itself)
    0x4,      // x2
    0x20000,  // x17
    0x3fffe,  // x1..x17
    0x2aaaa,  // odd registers
    0x15554,  // even registers
    0x3fdfe,  // all but x9
    0x1234c,  // an irregular set
    ~0ull,    // bits outside 1..17 are ignored: x1..x17
};
#define MASKS (sizeof(kMasks) / sizeof(kMasks[0]))

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(MASKS);
  for (unsigned m = 0; m < MASKS; ++m) {
    const uint64_t mask = kMasks[m];
    uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
    smccc_prepare(regs, PROBE_WRITE_SOME64, mask, 0x3000 + m);
    smccc_prepare(want, PROBE_WRITE_SOME64, mask, 0x3000 + m);
    want[0] = SMCCC_SUCCESS;
    for (int i = 1; i < SMCCC_REGS; ++i) {
      if ((mask >> i) & 1) want[i] = ~(uint64_t)i;
    }
    smccc(m % 2 ? CONDUIT_SMC : CONDUIT_HVC, regs);
    tap_regs(regs, want, SMCCC_ALL_REGS,
             "WRITE_SOME mask 0x%lx via %s: masked registers written, others keep the guest's",
             mask, m % 2 ? "smc" : "hvc");
  }
  return tap_end();
}
