#include "vcpu_threads.h"

#include <pthread.h>

#include "vm_stop.h"

namespace hypercall::vmm {
namespace {

void OnKick(int) {}

}  // namespace

sigset_t BlockVmmSignals() {
  struct sigaction kick {};
  kick.sa_handler = OnKick;  // No SA_RESTART: KVM_RUN must see -EINTR.
  sigemptyset(&kick.sa_mask);
  sigaction(kKickSignal, &kick, nullptr);

  sigset_t wait_for;
  sigemptyset(&wait_for);
  for (int sig : {SIGINT, SIGTERM, VmStop::kWakeSignal}) sigaddset(&wait_for, sig);
  sigset_t blocked = wait_for;
  sigaddset(&blocked, kKickSignal);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
  return wait_for;
}

VcpuThreads::VcpuThreads(const std::vector<std::unique_ptr<KvmVcpu>>& vcpus,
                         const VcpuEnvironment& env)
    : vcpus_(vcpus), env_(env), stats_(vcpus.size()) {
  for (size_t i = 0; i < vcpus_.size(); ++i) {
    threads_.emplace_back([this, i] {
      sigset_t kick;
      sigemptyset(&kick);
      sigaddset(&kick, kKickSignal);
      pthread_sigmask(SIG_UNBLOCK, &kick, nullptr);
      RunVcpu(*vcpus_[i], env_, stats_[i]);
    });
  }
}

CallStats VcpuThreads::StopAndJoin() {
  for (size_t i = 0; i < threads_.size(); ++i) {
    vcpus_[i]->RequestImmediateExit();
    pthread_kill(threads_[i].native_handle(), kKickSignal);
  }
  CallStats merged;
  for (size_t i = 0; i < threads_.size(); ++i) {
    threads_[i].join();
    merged.Merge(stats_[i]);
  }
  return merged;
}

}  // namespace hypercall::vmm
