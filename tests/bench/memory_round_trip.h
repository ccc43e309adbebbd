// The brokered round trip with guest memory operands: a simulated vCPU's
// probe MEM_REVERSE (a 64-byte buffer in, a 64-byte buffer out) through
// libhypercall-shim, which copies the buffers out of and into guest RAM, to a
// real hypercalld and back. Against the brokered TRNG row, it shows what the
// copies and the bounds checks add.
#ifndef HYPERCALL_TESTS_BENCH_MEMORY_ROUND_TRIP_H_
#define HYPERCALL_TESTS_BENCH_MEMORY_ROUND_TRIP_H_

#include "absl/status/statusor.h"
#include "latency_summary.h"

namespace hypercall::bench {

// Starts hypercalld (probe provider) pinned to `daemon_cpu`, attaches a
// one-vCPU VM with 1 MiB of RAM the shim can reach, makes `warmup` then
// `calls` MEM_REVERSE calls (each must be brokered, x0 = SUCCESS, and the
// out buffer the reversed input), and stops the daemon.
absl::StatusOr<LatencySummary> MeasureMemoryRoundTrip(int daemon_cpu, int warmup, int calls);

}  // namespace hypercall::bench

#endif  // HYPERCALL_TESTS_BENCH_MEMORY_ROUND_TRIP_H_
