#include "service/open_deadline.h"

#include <utility>

namespace hypercall::service {

OpenDeadline::OpenDeadline(const OpenTimeout& timeout, std::function<void()> expire)
    : timer_(timeout.timer), state_(std::make_shared<State>()) {
  {
    absl::MutexLock lock(&state_->mu);
    state_->expire = std::move(expire);
  }
  id_ = timer_.ScheduleAfter(timeout.limit, [state = state_] {
    absl::MutexLock lock(&state->mu);
    if (state->expire == nullptr) return;
    std::function<void()> expire = std::move(state->expire);
    state->expire = nullptr;
    // Under the lock, so that Disarm waits for it.
    expire();
  });
}

void OpenDeadline::Disarm() {
  timer_.Cancel(id_);
  absl::MutexLock lock(&state_->mu);
  state_->expire = nullptr;
}

}  // namespace hypercall::service
