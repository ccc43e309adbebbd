// One thread per vCPU, and stopping them all: each stop sets the vCPU's
// kvm_run.immediate_exit and sends its thread kKickSignal, so a vCPU inside
// KVM_RUN (or about to enter it) returns -EINTR at once, even a secondary
// that is powered off and waiting for PSCI CPU_ON.
#ifndef HYPERCALL_VMM_SHIM_VMM_VCPU_THREADS_H_
#define HYPERCALL_VMM_SHIM_VMM_VCPU_THREADS_H_

#include <signal.h>

#include <memory>
#include <thread>
#include <vector>

#include "call_stats.h"
#include "kvm_vcpu.h"
#include "vcpu_loop.h"

namespace hypercall::vmm {

// Interrupts a vCPU thread's KVM_RUN; blocked everywhere but in vCPU threads.
inline constexpr int kKickSignal = SIGUSR1;

// Call first in main, before any thread exists (the shim starts some): blocks
// SIGINT, SIGTERM, VmStop::kWakeSignal and kKickSignal in this thread and
// every later one, and gives kKickSignal a handler that does nothing. Returns
// the set the main thread waits for with sigwait (all but kKickSignal).
sigset_t BlockVmmSignals();

class VcpuThreads {
 public:
  // Starts RunVcpu for each vCPU on its own thread. `vcpus`, and what `env`
  // refers to, must outlive this object.
  VcpuThreads(const std::vector<std::unique_ptr<KvmVcpu>>& vcpus, const VcpuEnvironment& env);
  // REQUIRES: StopAndJoin() was called.
  ~VcpuThreads() = default;

  // Stops every vCPU, waits for its thread (a call in flight ends within the
  // shim's call deadline) and returns the threads' statistics merged.
  CallStats StopAndJoin();

 private:
  const std::vector<std::unique_ptr<KvmVcpu>>& vcpus_;
  const VcpuEnvironment env_;
  std::vector<CallStats> stats_;
  std::vector<std::thread> threads_;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_VCPU_THREADS_H_
