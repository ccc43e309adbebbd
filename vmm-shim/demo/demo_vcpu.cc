#include "demo_vcpu.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "call_mix.h"
#include "hypercall/shim/simulated_vcpu.h"

namespace hypercall::demo {

DemoVcpu::DemoVcpu(shim::Shim& shim, uint32_t index, double calls_per_second,
                   const absl::Notification& stop)
    : shim_(shim), index_(index), calls_per_second_(calls_per_second), stop_(stop) {}

void DemoVcpu::Run() {
  shim::SimulatedVcpu vcpu;
  ResultChecker checker;
  const absl::Duration period = absl::Seconds(1 / calls_per_second_);
  // vCPUs start at different points of the mix, so a trace shows variety.
  size_t next = index_ % CallMix().size();
  absl::Time due = absl::Now();
  while (!stop_.WaitForNotificationWithDeadline(due)) {
    const DemoCall& call = CallMix()[next];
    next = (next + 1) % CallMix().size();
    due += period;

    vcpu.Issue(call.function_id, {call.x1}, call.conduit);
    absl::StatusOr<shim::CallOutcome> outcome = shim_.HandleHypercall(index_, vcpu);
    std::optional<std::string> wrong =
        outcome.ok() ? checker.Check(call, *outcome, vcpu) : outcome.status().ToString();
    if (outcome.ok() && outcome->disposition == shim::Disposition::kBrokered) {
      latency_ns_.fetch_add(outcome->latency.count(), std::memory_order_relaxed);
    }
    if (wrong) {
      wrong_.fetch_add(1, std::memory_order_relaxed);
      std::fprintf(stderr, "hypercall-demo-vm: vCPU %u: WRONG ANSWER: %s\n", index_,
                   wrong->c_str());
    }
    // After a stall (a debugger, a frozen daemon) go on at the set rate
    // instead of making up for lost calls in a burst.
    if (due < absl::Now()) due = absl::Now();
  }
}

}  // namespace hypercall::demo
