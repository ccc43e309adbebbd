// The measured path: a simulated vCPU's TRNG_RND64 through libhypercall-shim
// to a real hypercalld, its TRNG provider, and back into the registers.
#ifndef HYPERCALL_TESTS_BENCH_BROKERED_ROUND_TRIP_H_
#define HYPERCALL_TESTS_BENCH_BROKERED_ROUND_TRIP_H_

#include "absl/status/statusor.h"
#include "latency_summary.h"

namespace hypercall::bench {

// Starts hypercalld pinned to `daemon_cpu`, attaches a one-vCPU VM, makes
// `warmup` then `calls` RND64 calls from the calling thread (each must be
// brokered with x0 = SUCCESS), and stops the daemon.
absl::StatusOr<LatencySummary> MeasureBrokeredRoundTrip(int daemon_cpu, int warmup, int calls);

}  // namespace hypercall::bench

#endif  // HYPERCALL_TESTS_BENCH_BROKERED_ROUND_TRIP_H_
