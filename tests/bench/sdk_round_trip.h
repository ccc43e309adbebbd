// The out-of-process path: a simulated vCPU's call through
// libhypercall-shim to a real hypercalld (started with a config) and on to
// hypercall-example-provider, the C++ SDK's example running as its own
// process, and back into the registers.
#ifndef HYPERCALL_TESTS_BENCH_SDK_ROUND_TRIP_H_
#define HYPERCALL_TESTS_BENCH_SDK_ROUND_TRIP_H_

#include "absl/status/statusor.h"
#include "latency_summary.h"

namespace hypercall::bench {

// Starts hypercalld and the example provider, both pinned to `server_cpu`,
// waits until the provider serves, makes `warmup` then `calls` ECHO calls
// from the calling thread (each must come back echoed), and stops both.
// server_cpu_us is the daemon's and the provider's CPU together.
absl::StatusOr<LatencySummary> MeasureSdkProviderRoundTrip(int server_cpu, int warmup, int calls);

}  // namespace hypercall::bench

#endif  // HYPERCALL_TESTS_BENCH_SDK_ROUND_TRIP_H_
