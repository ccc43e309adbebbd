// Round-trip samples reduced to the figures the benchmark prints.
#ifndef HYPERCALL_TESTS_BENCH_LATENCY_SUMMARY_H_
#define HYPERCALL_TESTS_BENCH_LATENCY_SUMMARY_H_

#include <cstdint>
#include <vector>

namespace hypercall::bench {

struct LatencySummary {
  double p50_us = 0;
  double p99_us = 0;
  double mean_us = 0;
  // CPU the server process used per call (-1 when unknown).
  double server_cpu_us = -1;
  // CPU this process (the client, all its threads) used per call.
  double client_cpu_us = -1;
};

// Percentiles of `samples_ns` (reordered). REQUIRES: not empty.
LatencySummary Summarize(std::vector<int64_t>& samples_ns);

}  // namespace hypercall::bench

#endif  // HYPERCALL_TESTS_BENCH_LATENCY_SUMMARY_H_
