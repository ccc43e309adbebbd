// How the VM ends. The first reason to stop (the guest's exit device, PSCI
// SYSTEM_OFF or SYSTEM_RESET, a fatal vCPU error, SIGINT/SIGTERM) fixes the
// exit status and wakes the main thread with kWakeSignal; the main thread
// then stops every vCPU (VcpuThreads::StopAndJoin).
#ifndef HYPERCALL_VMM_SHIM_VMM_VM_STOP_H_
#define HYPERCALL_VMM_SHIM_VMM_VM_STOP_H_

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace hypercall::vmm {

class VmStop {
 public:
  // Sent to the waiting thread by Request(); it must keep the signal blocked
  // and take it with sigwait.
  static constexpr int kWakeSignal = SIGUSR2;

  explicit VmStop(pthread_t waiter) : waiter_(waiter) {}

  // Records the status and reason unless a stop was already requested, then
  // wakes the waiter. Thread-safe.
  void Request(int status, std::string reason) ABSL_LOCKS_EXCLUDED(mu_);

  // Thread-safe; cheap enough for every vCPU exit.
  bool requested() const { return requested_.load(std::memory_order_acquire); }
  // REQUIRES: requested().
  int status() const ABSL_LOCKS_EXCLUDED(mu_);
  std::string reason() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const pthread_t waiter_;
  std::atomic<bool> requested_{false};
  mutable absl::Mutex mu_;
  int status_ ABSL_GUARDED_BY(mu_) = 0;
  std::string reason_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_VM_STOP_H_
