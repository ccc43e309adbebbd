// The baseline: a 148-byte request and reply (function ID + 18 registers)
// over a Unix SOCK_SEQPACKET socket pair to a forked echo process, the least
// a cross-process broker round trip could cost.
#ifndef HYPERCALL_TESTS_BENCH_RAW_PING_PONG_H_
#define HYPERCALL_TESTS_BENCH_RAW_PING_PONG_H_

#include "absl/status/statusor.h"
#include "latency_summary.h"

namespace hypercall::bench {

// The message size of one call or result: w0 + x0..x17.
inline constexpr int kMessageBytes = 4 + 18 * 8;

// Forks an echo child pinned to `echo_cpu`, makes `warmup` then `calls`
// round trips from the calling thread, and ends the child.
absl::StatusOr<LatencySummary> MeasureRawPingPong(int echo_cpu, int warmup, int calls);

}  // namespace hypercall::bench

#endif  // HYPERCALL_TESTS_BENCH_RAW_PING_PONG_H_
