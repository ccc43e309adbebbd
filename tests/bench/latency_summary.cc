#include "latency_summary.h"

#include <algorithm>
#include <numeric>

namespace hypercall::bench {
namespace {

double Percentile(const std::vector<int64_t>& sorted, double p) {
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()));
  return sorted[i] / 1e3;
}

}  // namespace

LatencySummary Summarize(std::vector<int64_t>& samples_ns) {
  std::sort(samples_ns.begin(), samples_ns.end());
  LatencySummary s;
  s.p50_us = Percentile(samples_ns, 0.50);
  s.p99_us = Percentile(samples_ns, 0.99);
  s.mean_us = std::accumulate(samples_ns.begin(), samples_ns.end(), 0.0) / samples_ns.size() / 1e3;
  return s;
}

}  // namespace hypercall::bench
