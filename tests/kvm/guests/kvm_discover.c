/*
 * KVM's DISCOVER_IMPL calls (Linux Documentation/virt/kvm/arm/hypercalls.rst;
 * the guest side is kvm_arm_target_impl_cpu_init), which KVM leaves to the
 * VMM and hypercalld's kvm_discover provider answers from the L1 config's
 * kvm_discover block (repeated below): DISCOVER_IMPL_VER gives the version
 * and the number of implementations, DISCOVER_IMPL_CPUS(i) each one's MIDR,
 * REVIDR and AIDR, and an index past the last INVALID_PARAMETER. Every
 * register of every answer is checked. KVM_FEATURES (KVM's own) reports the
 * two calls in x2 bits 0 and 1 when the host kernel has the
 * VENDOR_HYP_BMAP_2 register the shim sets (Linux 6.15 on); on an older
 * kernel x2 is 0 and the guest says so.
 */
#include "guest.h"
#include "tap.h"

#define KVM_FEATURES 0x86000000u
#define DISCOVER_IMPL_VER 0xc6000040u
#define DISCOVER_IMPL_CPUS 0xc6000041u

/* From the L1 config's kvm_discover block. */
#define WANT_VERSION ((uint64_t)0x10000)
#define IMPLEMENTATIONS 2
static const uint64_t kWant[IMPLEMENTATIONS][3] = {
    {0x410fd0c1ull, 0x1ull, 0x0ull}, /* MIDR, REVIDR, AIDR */
    {0x481fd010ull, 0x0ull, 0x551ull}};

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(3 + IMPLEMENTATIONS + 1);
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];

  smccc_prepare(regs, KVM_FEATURES, 0, 0x6000);
  smccc(CONDUIT_HVC, regs);
  const uint64_t discover_bits = regs[2] & 3;
  if (regs[2] == 0) {
    tap_note(
        "KVM_FEATURES x2 = 0: this host kernel has no VENDOR_HYP_BMAP_2 (Linux < 6.15), so "
        "a Linux guest would not ask; the calls below still reach hypercalld");
  }
  tap_ok(regs[0] != SMCCC_NOT_SUPPORTED && (regs[2] == 0 || discover_bits == 3),
         "KVM_FEATURES (KVM's) x0 = 0x%lx, x2 = 0x%lx: DISCOVER_IMPL_VER/CPUS (x2 bits 0, 1) "
         "advertised, or the kernel has no register for them",
         regs[0], regs[2]);

  smccc_prepare(regs, DISCOVER_IMPL_VER, 0x1234, 0x6001);
  smccc_prepare(want, DISCOVER_IMPL_VER, 0x1234, 0x6001);
  smccc(CONDUIT_HVC, regs);
  want[0] = SMCCC_SUCCESS;
  want[1] = WANT_VERSION;
  want[2] = IMPLEMENTATIONS;
  want[3] = 0;
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "DISCOVER_IMPL_VER: x0..x3 = 0, 0x%lx (1.0), %d implementations, 0; x4..x17 kept",
           WANT_VERSION, IMPLEMENTATIONS);

  /* Through SMC too: the filter forwards both conduits. */
  smccc_prepare(regs, DISCOVER_IMPL_VER, 0, 0x6002);
  smccc(CONDUIT_SMC, regs);
  tap_ok(regs[0] == SMCCC_SUCCESS && regs[2] == IMPLEMENTATIONS,
         "DISCOVER_IMPL_VER by SMC: x0 = 0x%lx, x2 = %lu", regs[0], regs[2]);

  for (int i = 0; i < IMPLEMENTATIONS; ++i) {
    smccc_prepare(regs, DISCOVER_IMPL_CPUS, (uint64_t)i, 0x6010 + (uint32_t)i);
    smccc_prepare(want, DISCOVER_IMPL_CPUS, (uint64_t)i, 0x6010 + (uint32_t)i);
    smccc(CONDUIT_HVC, regs);
    want[0] = SMCCC_SUCCESS;
    for (int r = 0; r < 3; ++r) want[1 + r] = kWant[i][r];
    tap_regs(regs, want, SMCCC_ALL_REGS,
             "DISCOVER_IMPL_CPUS(%d): MIDR 0x%lx, REVIDR 0x%lx, AIDR 0x%lx in x1..x3; x4..x17 "
             "kept",
             i, kWant[i][0], kWant[i][1], kWant[i][2]);
  }

  smccc_prepare(regs, DISCOVER_IMPL_CPUS, IMPLEMENTATIONS, 0x6020);
  smccc_prepare(want, DISCOVER_IMPL_CPUS, IMPLEMENTATIONS, 0x6020);
  smccc(CONDUIT_HVC, regs);
  want[0] = SMCCC_INVALID_PARAMETER;
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "DISCOVER_IMPL_CPUS(%d), past the last: INVALID_PARAMETER, x1..x17 kept",
           IMPLEMENTATIONS);
  return tap_end();
}
