#include "vm_stop.h"

namespace hypercall::vmm {

void VmStop::Request(int status, std::string reason) {
  {
    absl::MutexLock lock(&mu_);
    if (requested_.load(std::memory_order_relaxed)) return;
    status_ = status;
    reason_ = std::move(reason);
    requested_.store(true, std::memory_order_release);
  }
  pthread_kill(waiter_, kWakeSignal);
}

int VmStop::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

std::string VmStop::reason() const {
  absl::MutexLock lock(&mu_);
  return reason_;
}

}  // namespace hypercall::vmm
