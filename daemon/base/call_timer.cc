#include "base/call_timer.h"

#include <utility>

namespace hypercall::base {

CallTimer::CallTimer(const Clock& clock) : clock_(clock), thread_([this] { Run(); }) {}

CallTimer::~CallTimer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

CallTimer::Id CallTimer::Schedule(absl::Time when, std::function<void()> fire) {
  absl::MutexLock lock(&mu_);
  const Id id = next_id_++;
  pending_.emplace(id, Pending{order_.emplace(when, id), std::move(fire)});
  return id;
}

CallTimer::Id CallTimer::ScheduleAfter(absl::Duration delay, std::function<void()> fire) {
  return Schedule(clock_.Now() + delay, std::move(fire));
}

bool CallTimer::Cancel(Id id) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(id);
  if (it == pending_.end()) return false;
  order_.erase(it->second.at);
  pending_.erase(it);
  return true;
}

bool CallTimer::EarliestIsNot(Id id) const {
  return stopping_ || order_.empty() || order_.begin()->second != id;
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
    const absl::Time next = order_.begin()->first;
    if (next > clock_.Now()) {
      // Wakes early when an earlier deadline is scheduled or we stop.
      struct Earliest {
        const CallTimer* timer;
        Id id;
        // Runs with mu_ held (absl::Condition's promise); checked.
        bool operator()() const {
          timer->mu_.AssertHeld();
          return timer->EarliestIsNot(id);
        }
      } earliest{this, order_.begin()->second};
      clock_.AwaitWithDeadline(mu_, absl::Condition(&earliest), next);
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
