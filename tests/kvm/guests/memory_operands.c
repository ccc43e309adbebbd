/*
 * Guest memory operands: buffers a call passes by guest-physical address,
 * which hypercall-vmm's shim copies out of guest RAM into the call and the
 * result's bytes back in (the provider never maps guest memory). Against the
 * probe's MEM_REVERSE (in + out), MEM_XOR (inout) and MEM_WHEN (out only when
 * bit 0 of x1 is clear, like Hyper-V's slow calls), and the C++ SDK example's
 * UPPER through an external provider process: every byte of every buffer and
 * the guard bytes around it, every register. Addresses outside RAM (past the
 * end, straddling it, below it, wrapping) answer INVALID_PARAMETER (MEM_WHEN:
 * its declared code 5) and leave memory untouched. Runs with --memory 16, so
 * RAM is [GUEST_RAM_BASE, GUEST_RAM_BASE + 16 MiB).
 */
#include "guest.h"
#include "platform.h"
#include "tap.h"

#define RAM_END (GUEST_RAM_BASE + (16ull << 20))
#define LEN 64
#define GUARD 16
#define FILL 0xee

/* A buffer with guard bytes on both sides, so a write past either end shows. */
struct guarded {
  uint8_t before[GUARD];
  uint8_t bytes[LEN];
  uint8_t after[GUARD];
};

static struct guarded in_buf, out_buf;

static void fill(struct guarded* g, uint8_t seed) {
  memset(g, FILL, sizeof(*g));
  for (int i = 0; i < LEN; ++i) g->bytes[i] = (uint8_t)(seed + i * 7);
}

static uint64_t addr(const void* p) { return (uint64_t)(uintptr_t)p; }

/* The first byte of `g` (guards included) that differs from `want`, or -1. */
static int first_difference(const struct guarded* g, const struct guarded* want) {
  const uint8_t* a = (const uint8_t*)g;
  const uint8_t* b = (const uint8_t*)want;
  for (unsigned i = 0; i < sizeof(*g); ++i) {
    if (a[i] != b[i]) return (int)i;
  }
  return -1;
}

static void check_bytes(const struct guarded* got, const struct guarded* want, const char* what) {
  const int at = first_difference(got, want);
  if (at < 0) {
    tap_ok(true, "%s", what);
  } else {
    tap_ok(false, "%s # byte %d (offset %d from the buffer) got 0x%x want 0x%x", what, at,
           at - GUARD, ((const uint8_t*)got)[at], ((const uint8_t*)want)[at]);
  }
}

static void check_reverse(enum conduit conduit, uint32_t fid) {
  const int is32 = fid == PROBE_MEM_REVERSE32;
  fill(&in_buf, 0x10);
  memset(&out_buf, FILL, sizeof(out_buf));
  struct guarded want_in = in_buf, want_out = out_buf;
  uint64_t sum = 0;
  for (int i = 0; i < LEN; ++i) {
    want_out.bytes[i] = in_buf.bytes[LEN - 1 - i];
    sum += in_buf.bytes[i];
  }
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, fid, addr(in_buf.bytes), 0x3300);
  regs[2] = addr(out_buf.bytes);
  for (int i = 0; i < SMCCC_REGS; ++i) want[i] = regs[i];
  want[0] = SMCCC_SUCCESS;
  want[1] = sum;
  smccc(conduit, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "MEM_REVERSE%s via %s: x0 = 0, x1 = sum of the input, rest kept", is32 ? "32" : "64",
           conduit == CONDUIT_SMC ? "smc" : "hvc");
  check_bytes(&out_buf, &want_out,
              "MEM_REVERSE: the out buffer holds the input reversed, guards intact");
  check_bytes(&in_buf, &want_in, "MEM_REVERSE: the in buffer is unchanged");
}

static void check_xor(void) {
  fill(&in_buf, 0);  // byte 0 is zero: counted out of the non-zero ones
  struct guarded want_buf = in_buf;
  uint64_t nonzero = 0;
  for (int i = 0; i < LEN; ++i) {
    nonzero += in_buf.bytes[i] != 0;
    want_buf.bytes[i] ^= 0x5a;
  }
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, PROBE_MEM_XOR64, addr(in_buf.bytes), 0x3400);
  regs[2] = 0xabcd5a;  // only the low byte is the key
  for (int i = 0; i < SMCCC_REGS; ++i) want[i] = regs[i];
  want[0] = SMCCC_SUCCESS;
  want[1] = nonzero;
  smccc(CONDUIT_HVC, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS, "MEM_XOR: x1 = non-zero input bytes, rest kept");
  check_bytes(&in_buf, &want_buf, "MEM_XOR: the inout buffer is xored in place, guards intact");
}

static void check_when(void) {
  static const char kWord[16] = "hypercall-probe";
  memset(&out_buf, FILL, sizeof(out_buf));
  struct guarded want_out = out_buf;
  memcpy(want_out.bytes, kWord, sizeof(kWord));
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, PROBE_MEM_WHEN64, 0x10 /* bit 0 clear: slow */, 0x3500);
  regs[2] = addr(out_buf.bytes);
  for (int i = 0; i < SMCCC_REGS; ++i) want[i] = regs[i];
  want[0] = SMCCC_SUCCESS;
  want[1] = 16;
  smccc(CONDUIT_HVC, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS, "MEM_WHEN slow (x1 bit 0 clear): x1 = 16 bytes written");
  check_bytes(&out_buf, &want_out, "MEM_WHEN slow: 16 bytes \"hypercall-probe\\0\" and no more");

  memset(&out_buf, FILL, sizeof(out_buf));
  want_out = out_buf;
  smccc_prepare(regs, PROBE_MEM_WHEN64, 0x11 /* bit 0 set: fast */, 0x3501);
  regs[2] = RAM_END + 0x1000;  // not an address: the operand does not apply
  for (int i = 0; i < SMCCC_REGS; ++i) want[i] = regs[i];
  want[0] = SMCCC_SUCCESS;
  want[1] = 0;
  smccc(CONDUIT_HVC, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "MEM_WHEN fast (x1 bit 0 set): no memory, x2 not an address");
  check_bytes(&out_buf, &want_out, "MEM_WHEN fast: memory untouched");
}

/* A call whose buffer address is bad: x0 = `code`, x1..x17 kept, both
 * buffers untouched. */
static void check_bad(uint32_t fid, uint64_t x1, uint64_t x2, uint64_t code, const char* what) {
  fill(&in_buf, 0x20);
  memset(&out_buf, FILL, sizeof(out_buf));
  struct guarded want_in = in_buf, want_out = out_buf;
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, fid, x1, 0x3600);
  regs[2] = x2;
  for (int i = 0; i < SMCCC_REGS; ++i) want[i] = regs[i];
  want[0] = code;
  smccc(CONDUIT_HVC, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS, "%s: x0 = 0x%lx, x1..x17 kept", what, code);
  const int untouched =
      first_difference(&in_buf, &want_in) < 0 && first_difference(&out_buf, &want_out) < 0;
  tap_ok(untouched, "%s: guest memory untouched", what);
}

static void check_external_upper(void) {
  static const char kText[] = "Hello, hypercalld! memory operands 123 xyz";
  memset(&in_buf, FILL, sizeof(in_buf));
  memset(in_buf.bytes, 0, LEN);
  memcpy(in_buf.bytes, kText, sizeof(kText));
  memset(&out_buf, FILL, sizeof(out_buf));
  struct guarded want_out = out_buf;
  uint64_t changed = 0;
  for (int i = 0; i < LEN; ++i) {
    uint8_t c = in_buf.bytes[i];
    if (c >= 'a' && c <= 'z') {
      c = (uint8_t)(c - 'a' + 'A');
      ++changed;
    }
    want_out.bytes[i] = c;
  }
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, EXAMPLE_UPPER64, addr(in_buf.bytes), 0x3700);
  regs[2] = addr(out_buf.bytes);
  for (int i = 0; i < SMCCC_REGS; ++i) want[i] = regs[i];
  want[0] = SMCCC_SUCCESS;
  want[1] = changed;
  smccc(CONDUIT_HVC, regs);
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "example UPPER (external provider): x1 = letters upper-cased, rest kept");
  check_bytes(&out_buf, &want_out, "example UPPER: the out buffer is the input upper-cased");
}

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(31);
  check_reverse(CONDUIT_HVC, PROBE_MEM_REVERSE64);
  check_reverse(CONDUIT_SMC, PROBE_MEM_REVERSE64);
  check_reverse(CONDUIT_HVC, PROBE_MEM_REVERSE32);
  check_xor();
  check_when();
  const uint64_t in = addr(in_buf.bytes), out = addr(out_buf.bytes);
  check_bad(PROBE_MEM_REVERSE64, RAM_END - LEN / 2, out, SMCCC_INVALID_PARAMETER,
            "MEM_REVERSE, in buffer straddling the end of RAM");
  check_bad(PROBE_MEM_REVERSE64, RAM_END, out, SMCCC_INVALID_PARAMETER,
            "MEM_REVERSE, in buffer just past RAM");
  check_bad(PROBE_MEM_REVERSE64, in, RAM_END - 1, SMCCC_INVALID_PARAMETER,
            "MEM_REVERSE, out buffer straddling the end of RAM");
  check_bad(PROBE_MEM_REVERSE64, GUEST_RAM_BASE - LEN, out, SMCCC_INVALID_PARAMETER,
            "MEM_REVERSE, in buffer just below RAM");
  check_bad(PROBE_MEM_REVERSE64, in, 0xffffffffffffffe0ull, SMCCC_INVALID_PARAMETER,
            "MEM_REVERSE, out buffer wrapping past 2^64");
  check_bad(PROBE_MEM_REVERSE32, RAM_END, out, SMCCC32_INVALID_PARAMETER,
            "MEM_REVERSE32, in buffer past RAM");
  check_bad(PROBE_MEM_WHEN64, 0, RAM_END, PROBE_MEM_WHEN_BAD_ADDRESS,
            "MEM_WHEN slow, out buffer past RAM (its declared code)");
  check_external_upper();
  return tap_end();
}
