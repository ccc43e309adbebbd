// Pinning processes to CPUs and reading their CPU time, so the benchmark can
// place client and server on one core or two and report CPU per call.
#ifndef HYPERCALL_TESTS_BENCH_CPU_PLACEMENT_H_
#define HYPERCALL_TESTS_BENCH_CPU_PLACEMENT_H_

#include <sys/types.h>

#include "absl/status/status.h"

namespace hypercall::bench {

// Pins the calling thread (and every thread it starts later) to `cpu`.
absl::Status PinCallingThread(int cpu);

// Whether this process may run on `cpu`.
bool CpuAvailable(int cpu);

// User + system CPU seconds `pid` has used so far, all its threads included
// (from /proc; clock-tick resolution). -1 when unreadable.
double ProcessCpuSeconds(pid_t pid);

// User + system CPU seconds this process (all threads) has used so far.
double OwnCpuSeconds();

}  // namespace hypercall::bench

#endif  // HYPERCALL_TESTS_BENCH_CPU_PLACEMENT_H_
