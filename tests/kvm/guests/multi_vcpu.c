/*
 * Several vCPUs calling at once: vCPU 0 starts the others with PSCI CPU_ON
 * (until one does not exist), releases them all together, and each makes
 * many calls through both conduits: WHO must answer with the caller's own
 * index (a result routed to the wrong vCPU shows here) and ECHO_ALL with
 * its own arguments in all 18 registers. Each vCPU records its own report;
 * vCPU 0 collects them and prints one check per vCPU. Run with --cpus N
 * (N >= 2; NAME.args says 4).
 */
#include "guest.h"
#include "platform.h"
#include "tap.h"

#define ROUNDS 100
#define WAIT_SECONDS 60

// Written by one vCPU, read by vCPU 0 (plain stores and dsb: see guest.h).
struct report {
  volatile uint32_t ready;
  volatile uint32_t done;
  volatile uint32_t calls;
  volatile uint32_t wrong;
  // The first wrong register: call number, register, got, want.
  volatile uint32_t first_call;
  volatile uint32_t first_reg;
  volatile uint64_t first_got;
  volatile uint64_t first_want;
};

static struct report reports[GUEST_MAX_CPUS];
static volatile uint32_t go;

static void note_wrong(struct report* r, uint32_t call, int reg, uint64_t got, uint64_t want) {
  if (r->wrong++ == 0) {
    r->first_call = call;
    r->first_reg = (uint32_t)reg;
    r->first_got = got;
    r->first_want = want;
  }
}

// One vCPU's share: ROUNDS x (WHO via hvc, WHO via smc, ECHO_ALL).
static void run_calls(unsigned cpu) {
  struct report* r = &reports[cpu];
  for (uint32_t round = 0; round < ROUNDS; ++round) {
    for (int c = CONDUIT_HVC; c <= CONDUIT_SMC; ++c) {
      const uint64_t arg = (uint64_t)cpu << 48 | (uint64_t)round << 8 | (uint64_t)c;
      uint64_t regs[SMCCC_REGS];
      smccc_prepare(regs, PROBE_WHO64, arg, cpu);
      smccc((enum conduit)c, regs);
      const uint32_t call = r->calls++;
      if (regs[0] != SMCCC_SUCCESS) note_wrong(r, call, 0, regs[0], SMCCC_SUCCESS);
      if (regs[1] != cpu) note_wrong(r, call, 1, regs[1], cpu);
      if (regs[2] != arg + 1) note_wrong(r, call, 2, regs[2], arg + 1);
    }
    uint64_t regs[SMCCC_REGS];
    regs[0] = PROBE_ECHO_ALL64;
    for (int i = 1; i < SMCCC_REGS; ++i) regs[i] = (uint64_t)cpu << 56 | (uint64_t)round << 8 | i;
    smccc(CONDUIT_HVC, regs);
    const uint32_t call = r->calls++;
    for (int i = 0; i < SMCCC_REGS; ++i) {
      const uint64_t want =
          i == 0 ? 0 : ((uint64_t)cpu << 56 | (uint64_t)round << 8 | i) + i * PROBE_ECHO_STEP;
      if (regs[i] != want) note_wrong(r, call, i, regs[i], want);
    }
  }
  memory_barrier();
  r->done = 1;
  memory_barrier();
}

void secondary_main(unsigned cpu) {
  reports[cpu].ready = 1;
  memory_barrier();
  while (!go) __asm__ volatile("wfe");
  run_calls(cpu);
}

int guest_main(uint64_t device_tree) {
  (void)device_tree;
  tap_begin(0);
  unsigned cpus = 1;
  int64_t refused = 0;
  while (cpus < GUEST_MAX_CPUS && (refused = psci_cpu_on(cpus)) == 0) ++cpus;
  tap_note("%u vCPUs (CPU_ON of vCPU %u: %ld)", cpus, cpus, refused);
  tap_plan(1 + (int)cpus);

  int started = 1;
  for (unsigned cpu = 1; cpu < cpus; ++cpu)
    started += wait_for_flag(&reports[cpu].ready, WAIT_SECONDS);
  tap_ok(cpus >= 2 && started == (int)cpus,
         "%u of %u vCPUs running (needs --cpus 2 or more: NAME.args)", started, cpus);

  go = 1;
  memory_barrier();
  __asm__ volatile("sev");
  run_calls(0);
  for (unsigned cpu = 0; cpu < cpus; ++cpu) {
    struct report* r = &reports[cpu];
    if (!wait_for_flag(&r->done, WAIT_SECONDS)) {
      tap_ok(false, "vCPU %u finished its calls (still running after %d s, %u calls)", cpu,
             WAIT_SECONDS, r->calls);
      continue;
    }
    if (r->wrong != 0) {
      tap_note("vCPU %u call %u: x%u got 0x%lx want 0x%lx", cpu, r->first_call, r->first_reg,
               r->first_got, r->first_want);
    }
    tap_ok(r->wrong == 0 && r->calls == 3 * ROUNDS,
           "vCPU %u: %u concurrent calls answered for itself (WHO = its index, ECHO_ALL its "
           "own), %u wrong registers",
           cpu, r->calls, r->wrong);
  }
  return tap_end();
}
