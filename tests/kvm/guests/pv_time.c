/*
 * PV time (Arm DEN0057) as Linux's arm64 guest probes it
 * (drivers/firmware/smccc: has_pv_steal_clock, stolen_time_cpu_online):
 * SMCCC_VERSION, then SMCCC_ARCH_FEATURES(PV_TIME_FEATURES), which only KVM
 * answers, from the firmware bitmap hypercall-vmm's shim set from the plan;
 * then PV_TIME_FEATURES(PV_TIME_ST) and, on every vCPU, PV_TIME_ST, which
 * hypercalld's pvtime provider answers with that vCPU's record in the
 * region hypercall-vmm declared (0x090a0000, 64 bytes per vCPU). Every
 * register of every answer is checked, and the record KVM keeps (revision
 * 0, attributes 0, stolen nanoseconds) is read: KVM only writes it when the
 * shim handed it the same address.
 *
 * Built twice: pv_time (hypercalld serves PV time to the VM) and
 * pv_time_absent (the L1 config's VM rules keep the pvtime provider from
 * it), where the same probe must find no PV time at all, and no record.
 */
#include "guest.h"
#include "platform.h"
#include "tap.h"

#define SMCCC_ARCH_FEATURES 0x80000001u
#define PV_TIME_FEATURES 0xc5000020u
#define PV_TIME_ST 0xc5000021u
/* hypercall-vmm's stolen-time region (vmm-shim/vmm/platform.h). */
#define STOLEN_TIME_BASE 0x090a0000ull
#define RECORD_BYTES 64
#define WAIT_SECONDS 60
/* Who answers PV_TIME_FEATURES: hypercalld when the plan forwards it, else
 * KVM (saying NOT_SUPPORTED: the shim cleared its PV time bit). */
#define PV_TIME_BY (EXPECT_PV_TIME ? HYPERCALLD : KVM)

/* struct pvclock_vcpu_stolen_time, little-endian. */
struct stolen_time_record {
  uint32_t revision;
  uint32_t attributes;
  uint64_t stolen_time;
};

/* One vCPU's PV_TIME_ST answer, for vCPU 0 to check. */
struct st_answer {
  volatile uint32_t done;
  volatile uint32_t kept; /* x1..x17 were the guest's */
  volatile uint64_t x0;
};
static struct st_answer answers[GUEST_MAX_CPUS];

/* Who answers a call: KVM writes x0..x3 (x1..x3 zero for these calls);
 * hypercalld's pvtime provider writes x0 only. */
enum answerer { KVM, HYPERCALLD };

/* `fid` with x1 = arg1, answered by `by`; returns x0. `kept` is cleared
 * when a register other than those `by` writes changed, or KVM's x1..x3 are
 * not zero. */
static uint64_t call(enum answerer by, uint32_t fid, uint64_t arg1, uint32_t tag, int* kept) {
  uint64_t regs[SMCCC_REGS], want[SMCCC_REGS];
  smccc_prepare(regs, fid, arg1, tag);
  smccc_prepare(want, fid, arg1, tag);
  if (by == KVM) want[1] = want[2] = want[3] = 0;
  smccc(CONDUIT_HVC, regs);
  for (int i = 1; i < SMCCC_REGS; ++i) {
    if (regs[i] != want[i]) {
      if (*kept) tap_note("0x%x: x%d got 0x%lx want 0x%lx", fid, i, regs[i], want[i]);
      *kept = 0;
    }
  }
  return regs[0];
}

/* One check: PV_TIME_FEATURES(`asked`) answers `want`, and the registers
 * its answerer does not write are kept. */
static void check_feature(uint32_t asked, uint64_t want, uint32_t tag, const char* what) {
  int kept = 1;
  const uint64_t got = call(PV_TIME_BY, PV_TIME_FEATURES, asked, tag, &kept);
  tap_ok(got == want && kept,
         "PV_TIME_FEATURES(0x%x, %s) = 0x%lx (want 0x%lx), registers the answerer does not write "
         "kept",
         asked, what, got, want);
}

static void ask_st(unsigned cpu) {
  int kept = 1;
  answers[cpu].x0 = call(HYPERCALLD, PV_TIME_ST, 0, 0x5700 + cpu, &kept);
  answers[cpu].kept = (uint32_t)kept;
  memory_barrier();
  answers[cpu].done = 1;
  memory_barrier();
}

void secondary_main(unsigned cpu) { ask_st(cpu); }

static const volatile struct stolen_time_record* record(unsigned cpu) {
  return (const volatile struct stolen_time_record*)(uintptr_t)(STOLEN_TIME_BASE +
                                                                RECORD_BYTES * cpu);
}

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(0);
  unsigned cpus = 1;
  while (cpus < GUEST_MAX_CPUS && psci_cpu_on(cpus) == 0) ++cpus;
  tap_plan(EXPECT_PV_TIME ? 5 + (int)cpus + 2 : 5);

  int kept = 1;
  const uint64_t version = call(KVM, SMCCC_VERSION, 0, 0x5701, &kept);
  tap_ok(version >= 0x10001 && version < 0x80000000ull && kept,
         "SMCCC_VERSION 0x%lx is 1.1 or later (KVM), so ARCH_FEATURES may be asked; KVM wrote "
         "x0..x3, x4..x17 kept",
         version);

  kept = 1;
  const uint64_t arch = call(KVM, SMCCC_ARCH_FEATURES, PV_TIME_FEATURES, 0x5702, &kept);
  const uint64_t want_arch = EXPECT_PV_TIME ? SMCCC_SUCCESS : SMCCC_NOT_SUPPORTED;
  tap_ok(arch == want_arch && kept,
         "ARCH_FEATURES(PV_TIME_FEATURES) = 0x%lx (want 0x%lx: KVM's STD_HYP_BMAP bit the shim "
         "set from the plan); KVM wrote x0..x3, x4..x17 kept",
         arch, want_arch);

  check_feature(PV_TIME_ST, want_arch, 0x5703, "PV_TIME_ST");
  check_feature(PV_TIME_FEATURES, want_arch, 0x5704, "PV_TIME_FEATURES");
  check_feature(0xc5000022u, SMCCC_NOT_SUPPORTED, 0x5705, "not a PV time function");
  if (!EXPECT_PV_TIME) return tap_end();

  /* Every vCPU asks for its own record, as stolen_time_cpu_online does. */
  ask_st(0);
  for (unsigned cpu = 0; cpu < cpus; ++cpu) {
    const uint64_t want = STOLEN_TIME_BASE + RECORD_BYTES * cpu;
    if (!wait_for_flag(&answers[cpu].done, WAIT_SECONDS)) {
      tap_ok(false, "vCPU %u asked PV_TIME_ST (no answer after %d s)", cpu, WAIT_SECONDS);
      continue;
    }
    tap_ok(answers[cpu].x0 == want && answers[cpu].kept,
           "vCPU %u: PV_TIME_ST = 0x%lx (want 0x%lx, its own record), x1..x17 kept", cpu,
           answers[cpu].x0, want);
  }

  /* KVM updates a record each time its vCPU enters the guest; brokered
   * calls block the vCPU thread, so some stolen time accrues. */
  const uint64_t before = record(0)->stolen_time;
  for (int i = 0; i < 20; ++i) call(HYPERCALLD, PV_TIME_ST, 0, 0x5706, &kept);
  const volatile struct stolen_time_record* mine = record(0);
  const uint64_t after = mine->stolen_time;
  tap_ok(mine->revision == 0 && mine->attributes == 0,
         "vCPU 0's record: revision %u, attributes %u (both 0, DEN0057)", mine->revision,
         mine->attributes);
  tap_ok(after > 0 && after >= before,
         "KVM keeps vCPU 0's record current: stolen time %lu ns, then %lu ns after 20 exits",
         before, after);
  return tap_end();
}
