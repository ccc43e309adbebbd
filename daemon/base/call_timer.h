// One thread that fires callbacks at deadlines: how the daemon bounds the
// time a vCPU waits on a provider in another process, without a thread or a
// timer per call. Scheduling and cancelling are cheap (a map insert/erase),
// since nearly every call is answered in time and cancels its deadline.
// Deadlines are read on a Clock, so tests can move time themselves.
#ifndef HYPERCALL_DAEMON_BASE_CALL_TIMER_H_
#define HYPERCALL_DAEMON_BASE_CALL_TIMER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace hypercall::base {

class CallTimer {
 public:
  using Id = uint64_t;

  // `clock` must outlive the timer.
  explicit CallTimer(const Clock& clock = Clock::Real());
  // Drops every pending callback unfired and joins the thread.
  ~CallTimer();
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;

  // Runs `fire` on the timer's thread once the clock reads `when` (at once
  // if past), unless cancelled first. Callbacks run outside the timer's
  // lock, one at a time, and may call Schedule and Cancel. Thread-safe.
  Id Schedule(absl::Time when, std::function<void()> fire) ABSL_LOCKS_EXCLUDED(mu_);
  // The same, `delay` from now by the timer's clock.
  Id ScheduleAfter(absl::Duration delay, std::function<void()> fire) ABSL_LOCKS_EXCLUDED(mu_);

  // Drops the callback `id` unless it has started; returns whether it was
  // dropped. Thread-safe.
  bool Cancel(Id id) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  // Whether the loop must look again before the deadline of `id`, the
  // earliest when it started waiting: stopping, or the earliest changed.
  bool EarliestIsNot(Id id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock& clock_;
  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Id next_id_ ABSL_GUARDED_BY(mu_) = 1;
  // Deadlines in order, and each pending callback by id.
  std::multimap<absl::Time, Id> order_ ABSL_GUARDED_BY(mu_);
  struct Pending {
    std::multimap<absl::Time, Id>::iterator at;
    std::function<void()> fire;
  };
  absl::flat_hash_map<Id, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace hypercall::base

#endif  // HYPERCALL_DAEMON_BASE_CALL_TIMER_H_
