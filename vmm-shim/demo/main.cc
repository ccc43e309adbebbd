// hypercall-demo-vm: a VM of simulated vCPUs that attaches to hypercalld
// through libhypercall-shim and makes a steady, checked mix of calls, so the
// broker can be watched at work (hypercallctl trace) without arm64 KVM.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "demo_options.h"
#include "demo_vcpu.h"
#include "hypercall/shim/shim.h"
#include "wire/protocol.h"

namespace hypercall::demo {
namespace {

void PrintSummary(const shim::Shim& shim, const std::vector<std::unique_ptr<DemoVcpu>>& vcpus,
                  absl::Duration elapsed) {
  shim::VcpuStats total;
  uint64_t wrong = 0;
  uint64_t latency_ns = 0;
  for (uint32_t i = 0; i < shim.vcpu_count(); ++i) {
    const shim::VcpuStats s = shim.vcpu_stats(i);
    total.calls += s.calls;
    total.brokered += s.brokered;
    total.not_planned += s.not_planned;
    total.unavailable += s.unavailable;
    total.deadline_exceeded += s.deadline_exceeded;
    total.register_reads += s.register_reads;
    total.register_writes += s.register_writes;
    wrong += vcpus[i]->wrong_answers();
    latency_ns += vcpus[i]->brokered_latency_ns();
  }
  const double calls = total.calls > 0 ? static_cast<double>(total.calls) : 1;
  absl::PrintF(
      "hypercall-demo-vm: %.0f s: %u calls (%u brokered, %u not-planned, %u unavailable, "
      "%u deadline-exceeded), %u wrong; avg brokered round trip %.0f us; "
      "%.2f register reads + %.2f writes per call; %s\n",
      absl::ToDoubleSeconds(elapsed), total.calls, total.brokered, total.not_planned,
      total.unavailable, total.deadline_exceeded, wrong,
      total.brokered > 0 ? latency_ns / 1e3 / total.brokered : 0.0, total.register_reads / calls,
      total.register_writes / calls, shim.connected() ? "attached" : "daemon unavailable");
  std::fflush(stdout);
}

int Run(const DemoOptions& options) {
  // SIGINT/SIGTERM are taken by this thread with sigtimedwait; every thread
  // started from here on inherits the mask. A shell starts background jobs
  // with SIGINT ignored, which would discard it: restore the default first.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGINT, SIGTERM}) {
    signal(sig, SIG_DFL);
    sigaddset(&signals, sig);
  }
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  shim::VmDescription vm;
  vm.name = options.name;
  vm.vcpu_count = static_cast<uint32_t>(options.vcpus);
  vm.ram = {{0x40000000, 256 << 20}};
  shim::ShimOptions shim_options;
  shim_options.runtime_dir = options.runtime_dir;
  shim_options.software = wire::SoftwareName("hypercall-demo-vm");
  shim_options.attach_timeout = absl::ToChronoMilliseconds(absl::Seconds(options.attach_timeout_s));
  absl::StatusOr<std::unique_ptr<shim::Shim>> shim = shim::Shim::Connect(vm, shim_options);
  if (!shim.ok()) {
    std::fprintf(stderr, "hypercall-demo-vm: %s\n", shim.status().ToString().c_str());
    return 2;
  }
  std::printf("hypercall-demo-vm: VM '%s' attached with %d vCPUs, %.1f calls/s each; plan: %s\n",
              options.name.c_str(), options.vcpus, options.rate,
              (*shim)->plan().Describe().c_str());
  std::fflush(stdout);

  absl::Notification stop;
  std::vector<std::unique_ptr<DemoVcpu>> vcpus;
  std::vector<std::thread> threads;
  for (int i = 0; i < options.vcpus; ++i) {
    vcpus.push_back(std::make_unique<DemoVcpu>(**shim, i, options.rate, stop));
  }
  for (auto& vcpu : vcpus) threads.emplace_back(&DemoVcpu::Run, vcpu.get());

  const absl::Time start = absl::Now();
  const absl::Time end =
      options.duration_s > 0 ? start + absl::Seconds(options.duration_s) : absl::InfiniteFuture();
  const absl::Duration interval = absl::Seconds(options.summary_interval_s);
  absl::Time next_summary = start + interval;
  while (true) {
    const absl::Time wake = std::min(next_summary, end);
    const timespec wait = absl::ToTimespec(std::max(wake - absl::Now(), absl::ZeroDuration()));
    if (sigtimedwait(&signals, nullptr, &wait) > 0) break;
    const absl::Time now = absl::Now();
    if (now >= end) break;
    if (now >= next_summary) {
      PrintSummary(**shim, vcpus, now - start);
      next_summary += interval;
    }
  }
  stop.Notify();
  for (std::thread& t : threads) t.join();
  PrintSummary(**shim, vcpus, absl::Now() - start);

  for (const auto& vcpu : vcpus) {
    if (vcpu->wrong_answers() > 0) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace hypercall::demo

int main(int argc, char** argv) {
  absl::StatusOr<hypercall::demo::DemoOptions> options =
      hypercall::demo::ParseDemoOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!options.ok()) {
    std::fprintf(stderr, "hypercall-demo-vm: %s\n%s",
                 std::string(options.status().message()).c_str(),
                 hypercall::demo::DemoUsage().c_str());
    return 2;
  }
  if (options->show_help) {
    std::printf("%s", hypercall::demo::DemoUsage().c_str());
    return 0;
  }
  return hypercall::demo::Run(*options);
}
