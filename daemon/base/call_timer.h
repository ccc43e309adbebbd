// One thread that fires callbacks at deadlines: how the daemon bounds the
// time a vCPU waits on a provider in another process, without a thread or a
// timer per call. Scheduling and cancelling are cheap (a map insert/erase),
// since nearly every call is answered in time and cancels its deadline.
#ifndef HYPERCALL_DAEMON_BASE_CALL_TIMER_H_
#define HYPERCALL_DAEMON_BASE_CALL_TIMER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace hypercall::base {

class CallTimer {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = uint64_t;

  CallTimer();
  // Drops every pending callback unfired and joins the thread.
  ~CallTimer();
  CallTimer(const CallTimer&) = delete;
  CallTimer& operator=(const CallTimer&) = delete;

  // Runs `fire` on the timer's thread at `when` (at once if past), unless
  // cancelled first. Callbacks run outside the timer's lock, one at a time,
  // and may call Schedule and Cancel. Thread-safe.
  Id Schedule(Clock::time_point when, std::function<void()> fire);

  // Drops the callback `id` unless it has started; returns whether it was
  // dropped. Thread-safe.
  bool Cancel(Id id);

 private:
  void Run();

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Id next_id_ ABSL_GUARDED_BY(mu_) = 1;
  // Deadlines in order, and each pending callback by id.
  std::multimap<Clock::time_point, Id> order_ ABSL_GUARDED_BY(mu_);
  struct Pending {
    std::multimap<Clock::time_point, Id>::iterator at;
    std::function<void()> fire;
  };
  absl::flat_hash_map<Id, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace hypercall::base

#endif  // HYPERCALL_DAEMON_BASE_CALL_TIMER_H_
