#include "brokered_round_trip.h"

#include "absl/strings/str_format.h"
#include "hypercall/shim/shim.h"
#include "hypercall/shim/simulated_vcpu.h"
#include "shim_calls.h"
#include "smccc/known_calls.h"
#include "support/daemon_process.h"

namespace hypercall::bench {

absl::StatusOr<LatencySummary> MeasureBrokeredRoundTrip(int daemon_cpu, int warmup, int calls) {
  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> daemon =
      testing::DaemonProcess::Start({.extra_args = {"--log-level", "warning"}, .cpu = daemon_cpu});
  if (!daemon.ok()) return daemon.status();

  absl::StatusOr<std::unique_ptr<shim::Shim>> shim = ConnectBenchVm((*daemon)->runtime_dir());
  if (!shim.ok()) return shim.status();

  shim::SimulatedVcpu vcpu;
  return TimeCalls(warmup, calls, {(*daemon)->pid()}, [&](int i) -> absl::Status {
    vcpu.Issue(smccc::kTrngRnd64, {192});
    absl::StatusOr<shim::CallOutcome> out = (*shim)->HandleHypercall(0, vcpu);
    if (!out.ok()) return out.status();
    if (out->disposition != shim::Disposition::kBrokered || vcpu.x(0) != 0) {
      return absl::InternalError(absl::StrFormat("call %d: %s, x0 = 0x%x: %s", i,
                                                 shim::DispositionName(out->disposition), vcpu.x(0),
                                                 out->detail));
    }
    return absl::OkStatus();
  });
}

}  // namespace hypercall::bench
