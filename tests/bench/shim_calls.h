// What the brokered benchmarks share: a one-vCPU VM attached through the
// shim, and a timing loop around its calls that also reads the CPU the
// servers and this process spent.
#ifndef HYPERCALL_TESTS_BENCH_SHIM_CALLS_H_
#define HYPERCALL_TESTS_BENCH_SHIM_CALLS_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/shim.h"
#include "latency_summary.h"

namespace hypercall::bench {

// Attaches "bench" (one vCPU) to the daemon in `runtime_dir`, with the
// shim's log silenced. Its RAM is `memory`'s regions (which must outlive the
// Shim), or 256 MiB at 0x40000000 that the shim cannot reach.
absl::StatusOr<std::unique_ptr<shim::Shim>> ConnectBenchVm(
    const std::string& runtime_dir, shim::MappedGuestMemory* memory = nullptr);

// Runs `call(i)` for i in [0, warmup + calls), timing each after the
// warm-up; stops at the first error. The summary's server CPU is what the
// `servers` processes spent together, per call.
absl::StatusOr<LatencySummary> TimeCalls(int warmup, int calls, const std::vector<pid_t>& servers,
                                         const std::function<absl::Status(int i)>& call);

}  // namespace hypercall::bench

#endif  // HYPERCALL_TESTS_BENCH_SHIM_CALLS_H_
