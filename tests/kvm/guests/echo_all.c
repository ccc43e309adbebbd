/*
 * All 18 result registers are delivered: probe ECHO_ALL (reads x1..x17,
 * writes x0 = 0 and xi = arg_i + i * 0x1111111111111111) with argument
 * patterns that would show a register dropped, swapped, truncated or
 * carried over from the previous call.
 */
#include "guest.h"
#include "tap.h"

/* Argument i of pattern p. */
static uint64_t pattern(int p, int i) {
  switch (p) {
    case 0:
      return (uint64_t)i * 0x0101010101010101ull;
    case 1:
      return ~0ull;  // Every sum wraps.
    case 2:
      return (i & 1) ? 0xaaaaaaaaaaaaaaaaull : 0x5555555555555555ull;
    case 3:
      return 0x8000000000000000ull >> i;
    default:
      return 0;  // Results differ from the previous call's in every register.
  }
}

static const char* const kPatternName[] = {"i * 0x0101..", "all ones", "alternating bits",
                                           "one bit per register", "zeros"};
#define PATTERNS 5

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(PATTERNS + 1);
  for (int p = 0; p < PATTERNS; ++p) {
    uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
    regs[0] = PROBE_ECHO_ALL64;
    want[0] = SMCCC_SUCCESS;
    for (int i = 1; i < SMCCC_REGS; ++i) {
      regs[i] = pattern(p, i);
      want[i] = regs[i] + i * PROBE_ECHO_STEP;
    }
    smccc(CONDUIT_HVC, regs);
    tap_regs(regs, want, SMCCC_ALL_REGS, "ECHO_ALL (%s) delivers x0..x17", kPatternName[p]);
  }

  // Many calls in a row: every one exact.
  int wrong = 0;
  for (uint64_t n = 0; n < 64; ++n) {
    uint64_t regs[SMCCC_REGS];
    regs[0] = PROBE_ECHO_ALL64;
    for (int i = 1; i < SMCCC_REGS; ++i) regs[i] = n << 32 | (uint64_t)i;
    smccc(CONDUIT_HVC, regs);
    for (int i = 0; i < SMCCC_REGS; ++i) {
      const uint64_t want = i == 0 ? SMCCC_SUCCESS : (n << 32 | (uint64_t)i) + i * PROBE_ECHO_STEP;
      if (regs[i] != want && wrong++ == 0) {
        tap_note("call %lu: x%d got 0x%lx want 0x%lx", n, i, regs[i], want);
      }
    }
  }
  tap_eq(wrong, 0, "64 ECHO_ALL calls in a row: no wrong register");
  return tap_end();
}
