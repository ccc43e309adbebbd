#include "shim_calls.h"

#include <chrono>

#include "cpu_placement.h"

namespace hypercall::bench {
namespace {

// CPU seconds of all `servers` together; -1 when any is unreadable.
double ServersCpuSeconds(const std::vector<pid_t>& servers) {
  double total = 0;
  for (pid_t pid : servers) {
    const double seconds = ProcessCpuSeconds(pid);
    if (seconds < 0) return -1;
    total += seconds;
  }
  return total;
}

}  // namespace

absl::StatusOr<std::unique_ptr<shim::Shim>> ConnectBenchVm(const std::string& runtime_dir,
                                                           shim::MappedGuestMemory* memory) {
  shim::VmDescription vm;
  vm.name = "bench";
  vm.vcpu_count = 1;
  vm.ram = {{0x40000000, 256 << 20}};
  if (memory != nullptr) {
    vm.ram.clear();
    for (const shim::MappedRamRegion& region : memory->regions()) {
      vm.ram.push_back({region.guest_phys_addr, region.size});
    }
  }
  shim::ShimOptions options;
  options.runtime_dir = runtime_dir;
  options.software = "hypercall-bench";
  options.log = [](shim::LogSeverity, const std::string&) {};
  return shim::Shim::Connect(vm, options, memory);
}

absl::StatusOr<LatencySummary> TimeCalls(int warmup, int calls, const std::vector<pid_t>& servers,
                                         const std::function<absl::Status(int i)>& call) {
  std::vector<int64_t> samples;
  samples.reserve(calls);
  double servers_before = 0;
  double own_before = 0;
  for (int i = 0; i < warmup + calls; ++i) {
    if (i == warmup) {
      servers_before = ServersCpuSeconds(servers);
      own_before = OwnCpuSeconds();
    }
    const auto start = std::chrono::steady_clock::now();
    absl::Status status = call(i);
    const auto end = std::chrono::steady_clock::now();
    if (!status.ok()) return status;
    if (i >= warmup) {
      samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
    }
  }
  const double servers_after = ServersCpuSeconds(servers);
  const double own_after = OwnCpuSeconds();
  LatencySummary summary = Summarize(samples);
  if (servers_before >= 0 && servers_after >= 0) {
    summary.server_cpu_us = (servers_after - servers_before) / calls * 1e6;
  }
  summary.client_cpu_us = (own_after - own_before) / calls * 1e6;
  return summary;
}

}  // namespace hypercall::bench
