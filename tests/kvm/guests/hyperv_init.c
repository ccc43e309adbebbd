/*
 * The Hyper-V ABI as a Linux arm64 guest starts on it (arch/arm64/hyperv/
 * mshyperv.c and hv_core.c), against hypercalld's hyperv provider:
 * CALL_UID answers the Hyper-V UID; then, as fast calls with rep count 1 and
 * the "self" partition and VP, set GUEST_OS_ID; read
 * PRIVILEGES_AND_FEATURES_INFO (0x200), FEATURES_INFO (0x201) and
 * HYPERVISOR_VERSION (0x100) as 128-bit values in x6 (low) / x7 (high);
 * and, on every vCPU, VP_INDEX. Every register of every answer is checked:
 * x0 holds the status and reps completed (bits 43:32), Get writes only x0,
 * x6 and x7, Set only x0. Then what Linux does not do at start but the
 * provider offers: GUEST_OS_ID read back, TIME_REF_COUNT moving forward, a
 * slow GetVpRegisters through an input and an output page in guest RAM
 * (every byte, guard bytes included), and INVALID_HYPERCALL_CODE for a call
 * code the provider does not implement. KVM's own KVM_FEATURES must be gone:
 * the shim cleared VENDOR_HYP_BMAP bit 0 because the plan gives CALL_UID to
 * Hyper-V.
 *
 * The register values come from the hyperv block of the L1 config
 * (tests/kvm/l1/init), repeated here.
 */
#include "guest.h"
#include "platform.h"
#include "tap.h"

#define CALL_UID 0x8600ff01u
#define KVM_FEATURES 0x86000000u
#define HV_CALL 0x46000001u
#define HV_FAST (1ull << 16)
#define HV_REP(n) ((uint64_t)(n) << 32)
#define HV_GET_VP_REGISTERS 0x0050u
#define HV_SET_VP_REGISTERS 0x0051u
#define HV_PARTITION_SELF 0xffffffffffffffffull
#define HV_VP_SELF 0xfffffffeull
#define HV_STATUS_INVALID_HYPERCALL_CODE 2u
/* x0 of a successful call of one rep: status 0, 1 rep completed. */
#define HV_OK_ONE_REP (1ull << 32)

#define REG_HYPERVISOR_VERSION 0x100u
#define REG_PRIVILEGES_AND_FEATURES 0x200u
#define REG_FEATURES_INFO 0x201u
#define REG_GUEST_OS_ID 0x90002u
#define REG_VP_INDEX 0x90003u
#define REG_TIME_REF_COUNT 0x90004u

/* From the L1 config's hyperv block: version 10.1.26100, service pack 2,
 * branch 3, number 4005; privileges 0x2062 (low) and 0x10 (high), misc
 * features 0x20, hints 0x40. */
#define WANT_VERSION_LOW 0x000a0001000065f4ull
#define WANT_VERSION_HIGH 0x03000fa500000002ull
#define WANT_PRIVILEGES_LOW 0x0000001000002062ull
#define WANT_PRIVILEGES_HIGH 0x20ull
#define WANT_FEATURES_LOW 0x40ull
#define WANT_FEATURES_HIGH 0ull

/* Linux's guest OS id for itself (hv_generate_guest_id): open source,
 * Linux, kernel 6.12.0. */
#define GUEST_OS_ID ((uint64_t)0x8100060c00000000ull)
#define WAIT_SECONDS 60

static const uint32_t kHypervUid[4] = {0x4d32ba58u, 0xcd244764u, 0x8eef6c75u, 0x16597024u};

/* Fast GetVpRegisters of `name` as hv_get_vpreg_128 makes it; `got` holds
 * x0..x17 after, and `want` what they must be (x0, x6, x7 filled in by the
 * caller). */
static void get_vpreg(uint32_t name, uint32_t tag, uint64_t got[SMCCC_REGS],
                      uint64_t want[SMCCC_REGS]) {
  smccc_prepare(got, HV_CALL, HV_GET_VP_REGISTERS | HV_FAST | HV_REP(1), tag);
  got[2] = HV_PARTITION_SELF;
  got[3] = HV_VP_SELF;
  got[4] = name;
  got[5] = 0;
  got[6] = 0;
  got[7] = 0;
  for (int i = 0; i < SMCCC_REGS; ++i) want[i] = got[i];
  smccc(CONDUIT_HVC, got);
}

static bool check_get(uint32_t name, uint64_t low, uint64_t high, const char* what) {
  uint64_t got[SMCCC_REGS], want[SMCCC_REGS];
  get_vpreg(name, 0x4800 + name, got, want);
  want[0] = HV_OK_ONE_REP;
  want[6] = low;
  want[7] = high;
  return tap_regs(got, want, SMCCC_ALL_REGS,
                  "GetVpRegisters(0x%x, %s) fast: x0 = success with 1 rep, value 0x%lx:%lx in "
                  "x7:x6, every other register kept",
                  name, what, high, low);
}

/* Each vCPU's VP_INDEX read, for vCPU 0 to check. */
struct vp_report {
  volatile uint32_t done;
  volatile uint32_t wrong_reg; /* first wrong register + 1, or 0 */
  volatile uint64_t got;
  volatile uint64_t want;
};
static struct vp_report reports[GUEST_MAX_CPUS];

static void read_vp_index(unsigned cpu) {
  uint64_t got[SMCCC_REGS], want[SMCCC_REGS];
  get_vpreg(REG_VP_INDEX, 0x4900 + cpu, got, want);
  want[0] = HV_OK_ONE_REP;
  want[6] = cpu;
  want[7] = 0;
  for (int i = 0; i < SMCCC_REGS && !reports[cpu].wrong_reg; ++i) {
    if (got[i] != want[i]) {
      reports[cpu].wrong_reg = (uint32_t)i + 1;
      reports[cpu].got = got[i];
      reports[cpu].want = want[i];
    }
  }
  memory_barrier();
  reports[cpu].done = 1;
  memory_barrier();
}

void secondary_main(unsigned cpu) { read_vp_index(cpu); }

/* The slow call's pages, with guard bytes after each, page-aligned. */
#define PAGE 4096
#define GUARD 64
static uint8_t in_page[PAGE + GUARD] __attribute__((aligned(PAGE)));
static uint8_t out_page[PAGE + GUARD] __attribute__((aligned(PAGE)));
#define FILL 0xc3

static void put_le(uint8_t* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

/* Slow GetVpRegisters of GUEST_OS_ID, VP_INDEX and HYPERVISOR_VERSION:
 * the input page names them, the output page gets three 16-byte values. */
static void check_slow_get(void) {
  memset(in_page, 0, PAGE);
  memset(in_page + PAGE, FILL, GUARD);
  memset(out_page, FILL, sizeof(out_page));
  put_le(in_page, HV_PARTITION_SELF, 8);
  put_le(in_page + 8, HV_VP_SELF, 4);
  const uint32_t names[3] = {REG_GUEST_OS_ID, REG_VP_INDEX, REG_HYPERVISOR_VERSION};
  for (int i = 0; i < 3; ++i) put_le(in_page + 16 + 4 * i, names[i], 4);

  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, HV_CALL, HV_GET_VP_REGISTERS | HV_REP(3), 0x4a00);
  regs[2] = (uint64_t)(uintptr_t)in_page;
  regs[3] = (uint64_t)(uintptr_t)out_page;
  for (int i = 0; i < SMCCC_REGS; ++i) want[i] = regs[i];
  smccc(CONDUIT_HVC, regs);
  want[0] = HV_REP(3);
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "slow GetVpRegisters of 3 registers: x0 = success with 3 reps completed, every other "
           "register kept");

  uint8_t expect[PAGE + GUARD];
  memset(expect, FILL, sizeof(expect));
  put_le(expect, GUEST_OS_ID, 8);
  put_le(expect + 8, 0, 8);
  put_le(expect + 16, 0, 8);
  put_le(expect + 24, 0, 8);
  put_le(expect + 32, WANT_VERSION_LOW, 8);
  put_le(expect + 40, WANT_VERSION_HIGH, 8);
  int first = -1;
  for (int i = 0; i < PAGE + GUARD && first < 0; ++i) {
    if (out_page[i] != expect[i]) first = i;
  }
  if (first >= 0)
    tap_note("output page byte %d: 0x%x, want 0x%x", first, out_page[first], expect[first]);
  tap_ok(first < 0,
         "the output page holds GUEST_OS_ID, VP_INDEX 0 and HYPERVISOR_VERSION in 48 bytes; the "
         "rest of the page and the guard bytes after it are untouched");
  int in_changed = -1;
  for (int i = 0; i < GUARD && in_changed < 0; ++i) {
    if (in_page[PAGE + i] != FILL) in_changed = i;
  }
  tap_ok(in_changed < 0, "nothing written past the input page");
}

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(0);
  unsigned cpus = 1;
  while (cpus < GUEST_MAX_CPUS && psci_cpu_on(cpus) == 0) ++cpus;
  tap_plan(8 + (int)cpus + 4);

  /* 1. Detection (arm64 hyperv_detect / ms_hyperv_init): CALL_UID. */
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, CALL_UID, 0, 0x4700);
  smccc_prepare(want, CALL_UID, 0, 0x4700);
  smccc(CONDUIT_HVC, regs);
  for (int i = 0; i < 4; ++i) want[i] = kHypervUid[i];
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "CALL_UID answers the Hyper-V UID in x0..x3 (not KVM's), x4..x17 kept");

  /* KVM's own vendor calls are switched off with it. */
  smccc_prepare(regs, KVM_FEATURES, 0, 0x4701);
  smccc_prepare(want, KVM_FEATURES, 0, 0x4701);
  smccc(CONDUIT_HVC, regs);
  want[0] = SMCCC_NOT_SUPPORTED;
  tap_regs(regs, want, 1,
           "KVM_FEATURES (answered by KVM) is NOT_SUPPORTED: VENDOR_HYP_BMAP bit 0 cleared");

  /* 2. hv_set_vpreg(HV_REGISTER_GUEST_OS_ID, guest_id). */
  smccc_prepare(regs, HV_CALL, HV_SET_VP_REGISTERS | HV_FAST | HV_REP(1), 0x4702);
  regs[2] = HV_PARTITION_SELF;
  regs[3] = HV_VP_SELF;
  regs[4] = REG_GUEST_OS_ID;
  regs[5] = 0;
  regs[6] = GUEST_OS_ID;
  regs[7] = 0;
  for (int i = 0; i < SMCCC_REGS; ++i) want[i] = regs[i];
  smccc(CONDUIT_HVC, regs);
  want[0] = HV_OK_ONE_REP;
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "SetVpRegisters(GUEST_OS_ID = 0x%lx) fast: x0 = success with 1 rep, only x0 written",
           GUEST_OS_ID);

  /* 3. The features, hints and version, as 128-bit values. */
  check_get(REG_PRIVILEGES_AND_FEATURES, WANT_PRIVILEGES_LOW, WANT_PRIVILEGES_HIGH,
            "PRIVILEGES_AND_FEATURES_INFO");
  check_get(REG_FEATURES_INFO, WANT_FEATURES_LOW, WANT_FEATURES_HIGH, "FEATURES_INFO");
  check_get(REG_HYPERVISOR_VERSION, WANT_VERSION_LOW, WANT_VERSION_HIGH, "HYPERVISOR_VERSION");

  /* 4. Per CPU (hv_common_cpu_init): VP_INDEX, from every vCPU. */
  read_vp_index(0);
  for (unsigned cpu = 0; cpu < cpus; ++cpu) {
    if (!wait_for_flag(&reports[cpu].done, WAIT_SECONDS)) {
      tap_ok(false, "vCPU %u read VP_INDEX (no answer after %d s)", cpu, WAIT_SECONDS);
      continue;
    }
    const uint32_t bad = reports[cpu].wrong_reg;
    if (bad)
      tap_note("vCPU %u: x%u got 0x%lx want 0x%lx", cpu, bad - 1, reports[cpu].got,
               reports[cpu].want);
    tap_ok(bad == 0,
           "vCPU %u: GetVpRegisters(VP_INDEX) = %u in x6, x7 = 0, x0 = success, every other "
           "register kept",
           cpu, cpu);
  }

  /* 5. Beyond Linux's start: the written id reads back, time moves. */
  check_get(REG_GUEST_OS_ID, GUEST_OS_ID, 0, "GUEST_OS_ID read back");
  uint64_t t1[SMCCC_REGS], t2[SMCCC_REGS], ignored[SMCCC_REGS];
  get_vpreg(REG_TIME_REF_COUNT, 0x4b00, t1, ignored);
  for (int i = 0; i < 5; ++i) get_vpreg(REG_VP_INDEX, 0x4b01, ignored, ignored);
  get_vpreg(REG_TIME_REF_COUNT, 0x4b02, t2, ignored);
  tap_ok(
      t1[0] == HV_OK_ONE_REP && t2[0] == HV_OK_ONE_REP && t2[6] > t1[6] && t1[7] == 0 && t2[7] == 0,
      "TIME_REF_COUNT moves forward: %lu then %lu (100 ns units)", t1[6], t2[6]);

  check_slow_get();

  smccc_prepare(regs, HV_CALL, 0x0002 | HV_FAST | HV_REP(1), 0x4c00);
  for (int i = 0; i < SMCCC_REGS; ++i) want[i] = regs[i];
  smccc(CONDUIT_HVC, regs);
  want[0] = HV_STATUS_INVALID_HYPERCALL_CODE;
  tap_regs(regs, want, SMCCC_ALL_REGS,
           "call code 0x0002 (not implemented): x0 = INVALID_HYPERCALL_CODE, 0 reps, every other "
           "register kept");
  return tap_end();
}
