#include "memory_round_trip.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_format.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/shim.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "shim_calls.h"
#include "support/daemon_process.h"

namespace hypercall::bench {
namespace {

constexpr uint64_t kRamBase = 0x40000000;
constexpr uint64_t kInAddress = kRamBase + 0x1000;
constexpr uint64_t kOutAddress = kRamBase + 0x2000;
constexpr uint32_t kMemReverse = 0xc3000003;  // probe MEM_REVERSE, SMC64
constexpr size_t kBytes = 64;

}  // namespace

absl::StatusOr<LatencySummary> MeasureMemoryRoundTrip(int daemon_cpu, int warmup, int calls) {
  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> daemon = testing::DaemonProcess::Start(
      {.extra_args = {"--log-level", "warning", "--providers", "probe"}, .cpu = daemon_cpu});
  if (!daemon.ok()) return daemon.status();

  std::vector<uint8_t> ram(1 << 20);
  absl::StatusOr<shim::MappedGuestMemory> memory =
      shim::MappedGuestMemory::Create({{kRamBase, ram.size(), ram.data()}});
  if (!memory.ok()) return memory.status();
  absl::StatusOr<std::unique_ptr<shim::Shim>> shim =
      ConnectBenchVm((*daemon)->runtime_dir(), &*memory);
  if (!shim.ok()) return shim.status();

  uint8_t* in = ram.data() + (kInAddress - kRamBase);
  const uint8_t* out = ram.data() + (kOutAddress - kRamBase);
  shim::SimulatedVcpu vcpu;
  return TimeCalls(warmup, calls, {(*daemon)->pid()}, [&](int i) -> absl::Status {
    in[0] = static_cast<uint8_t>(i);
    vcpu.Issue(kMemReverse, {kInAddress, kOutAddress});
    absl::StatusOr<shim::CallOutcome> outcome = (*shim)->HandleHypercall(0, vcpu);
    if (!outcome.ok()) return outcome.status();
    if (outcome->disposition != shim::Disposition::kBrokered || vcpu.x(0) != 0 ||
        out[kBytes - 1] != in[0]) {
      return absl::InternalError(
          absl::StrFormat("call %d: %s, x0 = 0x%x, last out byte 0x%x want 0x%x: %s", i,
                          shim::DispositionName(outcome->disposition), vcpu.x(0), out[kBytes - 1],
                          in[0], outcome->detail));
    }
    return absl::OkStatus();
  });
}

}  // namespace hypercall::bench
