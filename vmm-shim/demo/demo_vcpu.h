// One simulated vCPU of the demo VM: a thread making the call mix through the
// shim at a steady rate, checking every answer and counting the wrong ones.
#ifndef HYPERCALL_VMM_SHIM_DEMO_DEMO_VCPU_H_
#define HYPERCALL_VMM_SHIM_DEMO_DEMO_VCPU_H_

#include <atomic>
#include <cstdint>

#include "absl/synchronization/notification.h"
#include "hypercall/shim/shim.h"

namespace hypercall::demo {

class DemoVcpu {
 public:
  // `shim` and `stop` must outlive Run().
  DemoVcpu(shim::Shim& shim, uint32_t index, double calls_per_second,
           const absl::Notification& stop);

  // Makes calls until `stop` is notified. Call on the vCPU's own thread.
  void Run();

  // Thread-safe.
  uint64_t wrong_answers() const { return wrong_.load(std::memory_order_relaxed); }
  // Sum of the latencies of brokered calls, and their number. Thread-safe.
  uint64_t brokered_latency_ns() const { return latency_ns_.load(std::memory_order_relaxed); }

 private:
  shim::Shim& shim_;
  const uint32_t index_;
  const double calls_per_second_;
  const absl::Notification& stop_;
  std::atomic<uint64_t> wrong_{0};
  std::atomic<uint64_t> latency_ns_{0};
};

}  // namespace hypercall::demo

#endif  // HYPERCALL_VMM_SHIM_DEMO_DEMO_VCPU_H_
