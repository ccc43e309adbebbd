/*
 * Issue item 6: the round trip of a brokered call against a call KVM
 * answers itself, timed in the guest with the virtual counter. Each kind is
 * called CALLS times (after a few untimed warm-up calls); the medians and
 * their ratios are printed as "# bench" lines. Every answer is also checked,
 * so the bench ends with TAP like the other guests.
 */
#include "guest.h"
#include "tap.h"

#define CALLS 200
#define WARMUP 5

struct kind {
  const char* name;
  uint32_t fid;
  uint64_t arg;
  // Expected x0 (and for WHO, x2 = arg + 1).
  uint64_t want_x0;
};

static const struct kind kKinds[] = {
    {"SMCCC_VERSION (KVM)", SMCCC_VERSION, 0, 0x10001},
    {"PSCI_VERSION (KVM)", PSCI_VERSION, 0, 0},
    {"probe WHO (brokered, 1 in/3 out)", PROBE_WHO64, 41, SMCCC_SUCCESS},
    {"TRNG_RND64 192 bits (brokered, 1 in/4 out)", TRNG_RND64, 192, SMCCC_SUCCESS},
    {"probe ECHO_ALL (brokered, 17 in/18 out)", PROBE_ECHO_ALL64, 1, SMCCC_SUCCESS},
};
#define KINDS (sizeof(kKinds) / sizeof(kKinds[0]))

static uint64_t ticks[CALLS];

static uint64_t median(uint64_t* values, int n) {
  for (int i = 1; i < n; ++i) {  // Insertion sort: n is small.
    const uint64_t v = values[i];
    int j = i;
    for (; j > 0 && values[j - 1] > v; --j) values[j] = values[j - 1];
    values[j] = v;
  }
  return values[n / 2];
}

// Ticks as microseconds with one decimal, e.g. "31.2".
static void print_us(const char* label, uint64_t t, uint64_t hz) {
  const uint64_t tenths = t * 10000000 / hz;
  tap_note("bench %s: %lu.%lu us", label, tenths / 10, tenths % 10);
}

// Calls `kind` CALLS times; returns the median in ticks, 0 if any answer was wrong.
static uint64_t time_kind(const struct kind* kind) {
  int wrong = 0;
  for (int n = 0; n < WARMUP + CALLS; ++n) {
    uint64_t regs[SMCCC_REGS] = {kind->fid, kind->arg};
    const uint64_t start = counter_now();
    smccc(CONDUIT_HVC, regs);
    const uint64_t end = counter_now();
    if (n >= WARMUP) ticks[n - WARMUP] = end - start;
    const int ok = kind->fid == PSCI_VERSION  ? (regs[0] >> 16) >= 1 && regs[0] < 0x80000000
                   : kind->fid == PROBE_WHO64 ? regs[0] == 0 && regs[2] == kind->arg + 1
                                              : regs[0] == kind->want_x0;
    if (!ok && wrong++ == 0) tap_note("%s: x0 0x%lx x2 0x%lx", kind->name, regs[0], regs[2]);
  }
  tap_eq(wrong, 0, "%d %s calls answered correctly", CALLS, kind->name);
  return wrong ? 0 : median(ticks, CALLS);
}

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(KINDS);
  const uint64_t hz = counter_hz();
  tap_note("bench counter %lu Hz, %d calls per kind, HVC, medians", hz, CALLS);
  uint64_t medians[KINDS];
  for (unsigned k = 0; k < KINDS; ++k) {
    medians[k] = time_kind(&kKinds[k]);
    print_us(kKinds[k].name, medians[k], hz);
  }
  for (unsigned k = 2; k < KINDS; ++k) {
    if (medians[0] == 0) break;
    const uint64_t tenths = medians[k] * 10 / medians[0];
    tap_note("bench ratio %s / SMCCC_VERSION (KVM): %lu.%lux", kKinds[k].name, tenths / 10,
             tenths % 10);
  }
  return tap_end();
}
