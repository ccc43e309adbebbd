// hypercall-bench: the brokered round trip (simulated vCPU -> shim ->
// hypercalld -> TRNG RND64 -> back) and the same through an out-of-process
// provider (hypercall-example-provider on the C++ SDK), against a raw
// SOCK_SEQPACKET ping-pong of the same size, measured in the same run, with
// client and server on one core and on two. Not a test: it prints figures.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "brokered_round_trip.h"
#include "cmdline/parse.h"
#include "cpu_placement.h"
#include "memory_round_trip.h"
#include "raw_ping_pong.h"
#include "sdk_round_trip.h"

namespace hypercall::bench {
namespace {

struct BenchOptions {
  // Measured calls per transport and placement.
  int calls = 20000;
  // Unmeasured calls first (connections, caches, CPU frequency).
  int warmup = 2000;
  // "both", "same" (one core) or "split" (two cores).
  std::string placement = "both";
};

constexpr char kUsage[] =
    "Usage: hypercall-bench [--calls N] [--warmup N] [--placement both|same|split]\n"
    "\n"
    "Measures the brokered SMCCC round trip (simulated vCPU -> libhypercall-shim -> hypercalld\n"
    "-> TRNG RND64 -> back) and a raw Unix SOCK_SEQPACKET ping-pong of the same size (148\n"
    "bytes each way) in the same run, the same with guest memory operands (the probe's\n"
    "MEM_REVERSE: the shim copies 64 bytes out of guest RAM and 64 back in), and the round\n"
    "trip through an out-of-process provider (shim -> hypercalld ->\n"
    "hypercall-example-provider, the C++ SDK's example, ECHO). The\n"
    "benchmark runs on CPU 0; the servers (hypercalld, the provider process, the echo\n"
    "process) on CPU 0 too (same core) or on CPU 1 (split). Defaults: 20000 calls after\n"
    "2000 warm-up calls, both placements. Exit status: 0 when every row was measured, 1 when\n"
    "one failed, 2 on bad arguments.\n";

// The options from the command line; InvalidArgument saying what is wrong.
absl::Status ParseArgs(int argc, char** argv, BenchOptions& options, bool& help) {
  std::string calls, warmup;
  CLI::App app;
  cmdline::Configure(app);
  app.add_option("--calls", calls);
  app.add_option("--warmup", warmup);
  app.add_option("--placement", options.placement);
  app.add_flag("--help,-h", help);
  if (absl::Status status = cmdline::Parse(app, std::vector<std::string>(argv + 1, argv + argc));
      !status.ok()) {
    return status;
  }
  if (app.count("--calls") > 0) {
    absl::StatusOr<uint64_t> n = cmdline::WholeNumber("--calls", calls, 1, 10000000);
    if (!n.ok()) return n.status();
    options.calls = static_cast<int>(*n);
  }
  if (app.count("--warmup") > 0) {
    absl::StatusOr<uint64_t> n = cmdline::WholeNumber("--warmup", warmup, 0, 10000000);
    if (!n.ok()) return n.status();
    options.warmup = static_cast<int>(*n);
  }
  if (options.placement != "both" && options.placement != "same" && options.placement != "split") {
    return absl::InvalidArgumentError("--placement must be both, same or split (got '" +
                                      options.placement + "')");
  }
  return absl::OkStatus();
}

void PrintRow(const char* placement, const char* transport, const LatencySummary& s) {
  absl::PrintF("%-26s %-34s %9.1f %9.1f %9.1f %12.1f %12s\n", placement, transport, s.p50_us,
               s.p99_us, s.mean_us, s.client_cpu_us,
               s.server_cpu_us >= 0 ? absl::StrFormat("%.1f", s.server_cpu_us) : "n/a");
}

void PrintRatio(const char* placement, const char* what, const LatencySummary& a,
                const LatencySummary& b) {
  absl::PrintF("%-26s %-34s %8.1fx %8.1fx %8.1fx\n", placement, what, a.p50_us / b.p50_us,
               a.p99_us / b.p99_us, a.mean_us / b.mean_us);
}

// Measures one placement; false on failure (already reported).
bool RunPlacement(const char* name, int server_cpu, const BenchOptions& options) {
  absl::StatusOr<LatencySummary> raw =
      MeasureRawPingPong(server_cpu, options.warmup, options.calls);
  if (!raw.ok()) {
    absl::FPrintF(stderr, "hypercall-bench: raw ping-pong (%s): %s\n", name,
                  raw.status().ToString());
    return false;
  }
  absl::StatusOr<LatencySummary> brokered =
      MeasureBrokeredRoundTrip(server_cpu, options.warmup, options.calls);
  if (!brokered.ok()) {
    absl::FPrintF(stderr, "hypercall-bench: brokered round trip (%s): %s\n", name,
                  brokered.status().ToString());
    return false;
  }
  absl::StatusOr<LatencySummary> memory =
      MeasureMemoryRoundTrip(server_cpu, options.warmup, options.calls);
  if (!memory.ok()) {
    absl::FPrintF(stderr, "hypercall-bench: round trip with guest memory (%s): %s\n", name,
                  memory.status().ToString());
    return false;
  }
  absl::StatusOr<LatencySummary> sdk =
      MeasureSdkProviderRoundTrip(server_cpu, options.warmup, options.calls);
  if (!sdk.ok()) {
    absl::FPrintF(stderr, "hypercall-bench: out-of-process provider round trip (%s): %s\n", name,
                  sdk.status().ToString());
    return false;
  }
  PrintRow(name, "raw SOCK_SEQPACKET ping-pong", *raw);
  PrintRow(name, "brokered (shim->hypercalld->TRNG)", *brokered);
  PrintRow(name, "brokered + 64 B in/out memory", *memory);
  PrintRow(name, "out-of-process (->SDK provider)", *sdk);
  PrintRatio(name, "ratio brokered / raw", *brokered, *raw);
  PrintRatio(name, "ratio memory / raw", *memory, *raw);
  PrintRatio(name, "ratio memory / brokered", *memory, *brokered);
  PrintRatio(name, "ratio out-of-process / raw", *sdk, *raw);
  std::fflush(stdout);
  return true;
}

int Main(int argc, char** argv) {
  BenchOptions options;
  bool help = false;
  if (absl::Status status = ParseArgs(argc, argv, options, help); !status.ok()) {
    absl::FPrintF(stderr, "hypercall-bench: %s\n\n%s", status.message(), kUsage);
    return 2;
  }
  if (help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const bool split_possible = CpuAvailable(1);
  // Every thread of this process, gRPC's included, inherits CPU 0.
  if (absl::Status s = PinCallingThread(0); !s.ok()) {
    absl::FPrintF(stderr, "hypercall-bench: %s\n", s.ToString());
    return 1;
  }
  absl::PrintF(
      "hypercall-bench: %d calls per row after %d warm-up; request and reply %d bytes;\n"
      "benchmark on CPU 0, servers (hypercalld, provider, echo process) as the placement says;\n"
      "CPU columns: microseconds of CPU per call, all threads of the process (server: the\n"
      "daemon and, out of process, the provider together).\n\n",
      options.calls, options.warmup, kMessageBytes);
  absl::PrintF("%-26s %-34s %9s %9s %9s %12s %12s\n", "placement", "round trip", "p50 us", "p99 us",
               "mean us", "client CPU", "server CPU");
  bool ok = true;
  if (options.placement != "split") ok &= RunPlacement("same core (CPU 0 / CPU 0)", 0, options);
  if (options.placement != "same") {
    if (split_possible) {
      ok &= RunPlacement("split (CPU 0 / CPU 1)", 1, options);
    } else {
      absl::PrintF("split placement skipped: CPU 1 is not available to this process\n");
    }
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace hypercall::bench

int main(int argc, char** argv) { return hypercall::bench::Main(argc, argv); }
