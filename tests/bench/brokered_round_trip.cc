#include "brokered_round_trip.h"

#include <chrono>
#include <vector>

#include "absl/strings/str_format.h"
#include "cpu_placement.h"
#include "hypercall/shim/shim.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "smccc/known_calls.h"
#include "support/daemon_process.h"

namespace hypercall::bench {

absl::StatusOr<LatencySummary> MeasureBrokeredRoundTrip(int daemon_cpu, int warmup, int calls) {
  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> daemon =
      testing::DaemonProcess::Start({.extra_args = {"--log-level", "warning"}, .cpu = daemon_cpu});
  if (!daemon.ok()) return daemon.status();

  shim::VmDescription vm;
  vm.name = "bench";
  vm.vcpu_count = 1;
  vm.ram = {{0x40000000, 256 << 20}};
  shim::ShimOptions options;
  options.runtime_dir = (*daemon)->runtime_dir();
  options.software = "hypercall-bench";
  options.log = [](shim::LogSeverity, const std::string&) {};
  absl::StatusOr<std::unique_ptr<shim::Shim>> shim = shim::Shim::Connect(vm, options);
  if (!shim.ok()) return shim.status();

  shim::SimulatedVcpu vcpu;
  std::vector<int64_t> samples;
  samples.reserve(calls);
  double cpu_before = 0;
  double own_cpu_before = 0;
  for (int i = 0; i < warmup + calls; ++i) {
    if (i == warmup) {
      cpu_before = ProcessCpuSeconds((*daemon)->pid());
      own_cpu_before = OwnCpuSeconds();
    }
    vcpu.Issue(smccc::kTrngRnd64, {192});
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<shim::CallOutcome> out = (*shim)->HandleHypercall(0, vcpu);
    const auto end = std::chrono::steady_clock::now();
    if (!out.ok()) return out.status();
    if (out->disposition != shim::Disposition::kBrokered || vcpu.x(0) != 0) {
      return absl::InternalError(absl::StrFormat("call %d: %s, x0 = 0x%x: %s", i,
                                                 shim::DispositionName(out->disposition), vcpu.x(0),
                                                 out->detail));
    }
    if (i >= warmup) {
      samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
    }
  }
  const double cpu_after = ProcessCpuSeconds((*daemon)->pid());
  const double own_cpu_after = OwnCpuSeconds();
  LatencySummary summary = Summarize(samples);
  if (cpu_before >= 0 && cpu_after >= 0) {
    summary.server_cpu_us = (cpu_after - cpu_before) / calls * 1e6;
  }
  summary.client_cpu_us = (own_cpu_after - own_cpu_before) / calls * 1e6;
  return summary;
}

}  // namespace hypercall::bench
