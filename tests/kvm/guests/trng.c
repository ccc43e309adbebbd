/*
 * The TRNG provider as a guest reads it (Arm DEN0098, and what Linux's
 * arm_smccc_trng driver expects): VERSION, FEATURES, GET_UUID, and the
 * RND64/RND32 packing: N bits right-aligned across x1..x3 (RND32: w1..w3)
 * with the lowest bits in x3 and every bit above N zero; invalid N gives
 * INVALID_PARAMETERS. Packing is checked statistically: over many draws
 * every bit that may be set is seen set (a stuck bit fails with odds of
 * about 2^-32), and no bit that must be zero ever is.
 */
#include "guest.h"
#include "tap.h"

#define DRAWS 32

// Our UUID (9c3f6a1e-5b27-4d80-8e41-d2a7c0f3b865) as GET_UUID's w0..w3.
static const uint32_t kUuidWords[4] = {0x1e6a3f9c, 0x804d275b, 0xa7d2418e, 0x65b8f3c0};

// Draws N bits `DRAWS` times with `fid`; ORs x1..x3 of the answers into
// seen[1..3]. Returns the number of answers whose x0 was not SUCCESS or
// whose x4..x17 were not the guest's.
static int draw(uint32_t fid, uint64_t bits, uint64_t seen[4]) {
  int bad = 0;
  seen[1] = seen[2] = seen[3] = 0;
  for (int n = 0; n < DRAWS; ++n) {
    uint64_t regs[SMCCC_REGS];
    smccc_prepare(regs, fid, bits, 0x7000 + n);
    smccc(CONDUIT_HVC, regs);
    int ok = regs[0] == SMCCC_SUCCESS;
    for (int i = 4; i < SMCCC_REGS; ++i) ok &= regs[i] == smccc_sentinel(0x7000 + n, i);
    if (!ok && bad++ == 0) tap_note("draw %d of %lu bits: x0 = 0x%lx", n, bits, regs[0]);
    for (int i = 1; i <= 3; ++i) seen[i] |= regs[i];
  }
  return bad;
}

static uint64_t low_bits(uint64_t n) { return n >= 64 ? ~0ull : (1ull << n) - 1; }

// RND64 (64-bit words) or RND32 (32-bit words) of `bits`: x3 holds the
// lowest word, then x2, then x1; each register is exactly the bits it may
// hold.
static void check_packing(uint32_t fid, unsigned word_bits, uint64_t bits) {
  uint64_t seen[4];
  const int bad = draw(fid, bits, seen);
  uint64_t want[4] = {0};
  uint64_t left = bits;
  for (int reg = 3; reg >= 1; --reg) {
    const uint64_t here = left < word_bits ? left : word_bits;
    want[reg] = low_bits(here);
    left -= here;
  }
  const char* name = fid == TRNG_RND64 ? "RND64" : "RND32";
  if (tap_eq(bad, 0, "%s of %lu bits: %d draws succeed, x4..x17 kept", name, bits, DRAWS)) {
    tap_ok(seen[1] == want[1] && seen[2] == want[2] && seen[3] == want[3],
           "%s of %lu bits right-aligned, lowest in x3: bits seen x1 0x%lx x2 0x%lx x3 0x%lx "
           "(want 0x%lx 0x%lx 0x%lx)",
           name, bits, seen[1], seen[2], seen[3], want[1], want[2], want[3]);
  } else {
    tap_ok(false, "%s of %lu bits right-aligned (no answers to check)", name, bits);
  }
}

static void check_invalid(uint32_t fid, uint64_t bits) {
  uint64_t regs[SMCCC_REGS];
  smccc_prepare(regs, fid, bits, 0x7100);
  smccc(CONDUIT_HVC, regs);
  const int smc32 = fid == TRNG_RND32;
  tap_eq(smc32 ? (uint32_t)regs[0] : regs[0],
         smc32 ? (uint32_t)TRNG_INVALID_PARAMETERS : TRNG_INVALID_PARAMETERS,
         "%s with x1 = 0x%lx bits: INVALID_PARAMETERS", smc32 ? "RND32" : "RND64", bits);
}

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(28);

  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, TRNG_VERSION, 0, 0x7200);
  smccc_prepare(want, TRNG_VERSION, 0, 0x7200);
  want[0] = 0x10000;
  smccc(CONDUIT_HVC, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS, "TRNG_VERSION is 1.0, x1..x17 kept");

  static const uint32_t kFunctions[] = {TRNG_VERSION, TRNG_FEATURES, TRNG_GET_UUID, TRNG_RND32,
                                        TRNG_RND64};
  for (unsigned f = 0; f < 5; ++f) {
    smccc_prepare(regs, TRNG_FEATURES, kFunctions[f], 0);
    smccc(CONDUIT_HVC, regs);
    tap_eq(regs[0], SMCCC_SUCCESS, "TRNG_FEATURES(0x%x) is SUCCESS", kFunctions[f]);
  }
  smccc_prepare(regs, TRNG_FEATURES, 0x84000054u, 0);
  smccc(CONDUIT_HVC, regs);
  tap_eq((uint32_t)regs[0], SMCCC32_NOT_SUPPORTED, "TRNG_FEATURES(0x84000054) is NOT_SUPPORTED");

  smccc_prepare(regs, TRNG_GET_UUID, 0, 0x7201);
  smccc_prepare(want, TRNG_GET_UUID, 0, 0x7201);
  for (int i = 0; i < 4; ++i) want[i] = kUuidWords[i];
  smccc(CONDUIT_HVC, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS, "TRNG_GET_UUID: our UUID in w0..w3, x4..x17 kept");

  check_packing(TRNG_RND64, 64, 192);
  check_packing(TRNG_RND64, 64, 100);
  check_packing(TRNG_RND64, 64, 64);
  check_packing(TRNG_RND64, 64, 1);
  check_packing(TRNG_RND32, 32, 96);
  check_packing(TRNG_RND32, 32, 40);
  check_packing(TRNG_RND32, 32, 32);

  // Two draws of 192 bits are never the same (odds 2^-192).
  uint64_t a[SMCCC_REGS], b[SMCCC_REGS];
  smccc_prepare(a, TRNG_RND64, 192, 0);
  smccc_prepare(b, TRNG_RND64, 192, 0);
  smccc(CONDUIT_HVC, a);
  smccc(CONDUIT_HVC, b);
  tap_ok(a[1] != b[1] || a[2] != b[2] || a[3] != b[3], "two RND64 draws of 192 bits differ");

  check_invalid(TRNG_RND64, 0);
  check_invalid(TRNG_RND64, 193);
  check_invalid(TRNG_RND32, 0);
  check_invalid(TRNG_RND32, 97);
  check_invalid(TRNG_RND32, 0xffffffff00000000ull | 97);  // Upper half ignored: still 97.
  return tap_end();
}
