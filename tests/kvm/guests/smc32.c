/*
 * SMC32/HVC32 w-register semantics through the broker: the upper halves of
 * the arguments are ignored, results are 32 bits (the upper half of each
 * written register reads zero), and only w0..w7 are results (x8..x17 keep
 * the guest's values even when the provider would write them).
 */
#include "guest.h"
#include "tap.h"

// An argument with garbage in its upper half.
static uint64_t dirty(int i) { return (0xbad00000ull + i) << 32 | (0xf0000000u + i * 0x01010101u); }

static void check_echo_all(enum conduit conduit) {
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  regs[0] = want[0] = PROBE_ECHO_ALL32;
  for (int i = 1; i < SMCCC_REGS; ++i) regs[i] = want[i] = dirty(i);
  want[0] = SMCCC_SUCCESS;
  for (int i = 1; i <= 7; ++i) want[i] = (uint32_t)(dirty(i) + i * PROBE_ECHO_STEP);
  smccc(conduit, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "ECHO_ALL32 via %s: w1..w7 from the low halves, 32-bit results, x8..x17 kept",
           conduit == CONDUIT_SMC ? "smc" : "hvc");
}

static void check_who(uint64_t arg, uint32_t want_x2) {
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, PROBE_WHO32, arg, 0x3200);
  smccc_prepare(want, PROBE_WHO32, arg, 0x3200);
  want[0] = SMCCC_SUCCESS;
  want[1] = 0;
  want[2] = want_x2;
  smccc(CONDUIT_HVC, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS, "WHO32 with x1 = 0x%lx: w2 = 0x%x", arg, want_x2);
}

static void check_write_some(uint64_t mask) {
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, PROBE_WRITE_SOME32, mask, 0x3201);
  smccc_prepare(want, PROBE_WRITE_SOME32, mask, 0x3201);
  want[0] = SMCCC_SUCCESS;
  for (int i = 1; i <= 7; ++i) {
    if ((mask >> i) & 1) want[i] = (uint32_t) ~(uint64_t)i;
  }
  smccc(CONDUIT_HVC, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "WRITE_SOME32 mask 0x%lx: only the low half counts, only w1..w7 written", mask);
}

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(8);
  check_echo_all(CONDUIT_HVC);
  check_echo_all(CONDUIT_SMC);
  check_who(0xffffffff00000029ull, 0x2a);
  check_who(0x12345678ffffffffull, 0);  // 0xffffffff + 1 truncates to 0.
  check_write_some(0xffffffff0003fffeull);
  check_write_some(0xffffffff00000000ull);

  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, PROBE_LAST32, 0xdeadbeefcafef00dull, 0x3202);
  smccc_prepare(want, PROBE_LAST32, 0xdeadbeefcafef00dull, 0x3202);
  want[0] = SMCCC32_NOT_SUPPORTED;
  smccc(CONDUIT_HVC, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "unimplemented SMC32 probe ID 0x%x: w0 = NOT_SUPPORTED (upper half zero), rest kept",
           PROBE_LAST32);

  smccc_prepare(regs, PROBE_ECHO_ALL64, 0, 0);
  for (int i = 1; i < SMCCC_REGS; ++i) regs[i] = dirty(i);
  smccc(CONDUIT_HVC, regs);
  tap_eq(regs[1], dirty(1) + PROBE_ECHO_STEP,
         "the same function as SMC64 keeps the upper halves (ECHO_ALL64 x1)");
  return tap_end();
}
