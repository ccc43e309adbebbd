#include "base/call_timer.h"

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace hypercall::base {

CallTimer::CallTimer() : thread_([this] { Run(); }) {}

CallTimer::~CallTimer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

CallTimer::Id CallTimer::Schedule(Clock::time_point when, std::function<void()> fire) {
  absl::MutexLock lock(&mu_);
  const Id id = next_id_++;
  pending_.emplace(id, Pending{order_.emplace(when, id), std::move(fire)});
  return id;
}

bool CallTimer::Cancel(Id id) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  order_.erase(it->second.at);
  pending_.erase(it);
  return true;
}

void CallTimer::Run() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    if (order_.empty()) {
      mu_.Await(absl::Condition(
          +[](CallTimer* timer) ABSL_EXCLUSIVE_LOCKS_REQUIRED(timer->mu_) {
            return timer->stopping_ || !timer->order_.empty();
          },
          this));
      continue;
    }
    const Clock::time_point next = order_.begin()->first;
    const Clock::time_point now = Clock::now();
    if (next > now) {
      // Wakes early when an earlier deadline is scheduled or we stop.
      std::pair<CallTimer*, Id> state(this, order_.begin()->second);
      mu_.AwaitWithTimeout(
          absl::Condition(
              +[](std::pair<CallTimer*, Id>* state) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                CallTimer* timer = state->first;
                return timer->stopping_ || timer->order_.empty() ||
                       timer->order_.begin()->second != state->second;
              },
              &state),
          absl::FromChrono(next - now));
      continue;
    }
    const Id id = order_.begin()->second;
    order_.erase(order_.begin());
    auto it = pending_.find(id);
    std::function<void()> fire = std::move(it->second.fire);
    pending_.erase(it);
    mu_.Unlock();
    fire();
    mu_.Lock();
  }
}

}  // namespace hypercall::base
