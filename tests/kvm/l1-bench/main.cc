// hypercall-l1-bench: the transports under a brokered call, timed inside the
// KVM suite's emulated machine (L1) in the same boot as the bench guest, so
// the guest's figures can be taken apart (tests/kvm/l1/init prints them as
// "# " lines):
//   raw ECHO_CPU   148-byte SOCK_SEQPACKET ping-pong with a forked echo
//                  process pinned to ECHO_CPU (the least a cross-process
//                  round trip costs here)
//   brokered       simulated vCPU -> libhypercall-shim -> the running
//                  hypercalld -> built-in provider -> back, for TRNG RND64
//                  and probe WHO (the gRPC round trip without KVM)
// Each prints one line per measurement: "l1-bench KIND p50_us P p99_us Q
// mean_us M calls N". Pin the process with taskset to place it.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "hypercall/shim/shim.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "latency_summary.h"
#include "raw_ping_pong.h"
#include "smccc/known_calls.h"

namespace hypercall::bench {
namespace {

constexpr uint32_t kProbeWho64 = 0xc3000002;

constexpr char kUsage[] =
    "usage: hypercall-l1-bench raw ECHO_CPU [--calls N] [--warmup N]\n"
    "       hypercall-l1-bench brokered [--calls N] [--warmup N] [--runtime-dir DIR]\n";

struct Options {
  std::string mode;
  int echo_cpu = 0;
  int calls = 200;
  int warmup = 20;
  std::string runtime_dir = std::string(wire::kDefaultRuntimeDir);
};

bool ParseInt(const std::string& s, int lo, int hi, int& out) {
  char* end = nullptr;
  const long n = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || n < lo || n > hi) return false;
  out = static_cast<int>(n);
  return true;
}

bool Parse(int argc, char** argv, Options& o) {
  int i = 1;
  if (i >= argc) return false;
  o.mode = argv[i++];
  if (o.mode == "raw") {
    if (i >= argc || !ParseInt(argv[i++], 0, 1023, o.echo_cpu)) return false;
  } else if (o.mode != "brokered") {
    return false;
  }
  for (; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--calls") {
      if (!ParseInt(value, 1, 1000000, o.calls)) return false;
    } else if (flag == "--warmup") {
      if (!ParseInt(value, 0, 1000000, o.warmup)) return false;
    } else if (flag == "--runtime-dir" && o.mode == "brokered") {
      o.runtime_dir = value;
    } else {
      return false;
    }
  }
  return i == argc;
}

void Print(const std::string& kind, const LatencySummary& s, int calls) {
  absl::PrintF("l1-bench %s p50_us %.1f p99_us %.1f mean_us %.1f calls %d\n", kind, s.p50_us,
               s.p99_us, s.mean_us, calls);
  std::fflush(stdout);
}

int Brokered(const Options& o) {
  shim::VmDescription vm;
  vm.name = "l1-bench";
  vm.vcpu_count = 1;
  vm.ram = {{0x40000000, 16 << 20}};
  shim::ShimOptions options;
  options.runtime_dir = o.runtime_dir;
  options.software = "hypercall-l1-bench";
  options.log = [](shim::LogSeverity, const std::string& line) {
    absl::FPrintF(stderr, "hypercall-l1-bench: shim: %s\n", line);
  };
  absl::StatusOr<std::unique_ptr<shim::Shim>> shim = shim::Shim::Connect(vm, options);
  if (!shim.ok()) {
    absl::FPrintF(stderr, "hypercall-l1-bench: %s\n", shim.status().ToString());
    return 1;
  }
  struct Kind {
    const char* name;
    uint32_t fid;
    uint64_t arg;
  };
  const Kind kinds[] = {{"brokered-no-kvm TRNG_RND64", smccc::kTrngRnd64, 192},
                        {"brokered-no-kvm probe_WHO", kProbeWho64, 41}};
  shim::SimulatedVcpu vcpu;
  for (const Kind& kind : kinds) {
    std::vector<int64_t> samples;
    samples.reserve(o.calls);
    for (int i = 0; i < o.warmup + o.calls; ++i) {
      vcpu.Issue(kind.fid, {kind.arg});
      absl::StatusOr<shim::CallOutcome> out = (*shim)->HandleHypercall(0, vcpu);
      if (!out.ok() || out->disposition != shim::Disposition::kBrokered || vcpu.x(0) != 0) {
        absl::FPrintF(stderr, "hypercall-l1-bench: %s call %d failed: %s\n", kind.name, i,
                      out.ok()
                          ? std::string(shim::DispositionName(out->disposition)) + " " + out->detail
                          : out.status().ToString());
        return 1;
      }
      if (i >= o.warmup) samples.push_back(out->latency.count());
    }
    Print(kind.name, Summarize(samples), o.calls);
  }
  return 0;
}

int Main(int argc, char** argv) {
  Options o;
  if (!Parse(argc, argv, o)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (o.mode == "brokered") return Brokered(o);
  absl::StatusOr<LatencySummary> raw = MeasureRawPingPong(o.echo_cpu, o.warmup, o.calls);
  if (!raw.ok()) {
    absl::FPrintF(stderr, "hypercall-l1-bench: raw: %s\n", raw.status().ToString());
    return 1;
  }
  Print(absl::StrFormat("raw-seqpacket echo_cpu=%d", o.echo_cpu), *raw, o.calls);
  return 0;
}

}  // namespace
}  // namespace hypercall::bench

int main(int argc, char** argv) { return hypercall::bench::Main(argc, argv); }
