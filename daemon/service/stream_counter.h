// Counts live streams: bounds how many a service runs at once, and lets
// shutdown wait until they have all ended (each after answering its call in
// flight) before stopping the server.
#ifndef HYPERCALL_DAEMON_SERVICE_STREAM_COUNTER_H_
#define HYPERCALL_DAEMON_SERVICE_STREAM_COUNTER_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace hypercall::service {

class StreamCounter {
 public:
  // `max_live`: streams allowed at once.
  explicit StreamCounter(int max_live) : max_live_(max_live) {}

  // Counts a new stream; false (not counted) when `max_live` are live.
  // Thread-safe.
  bool TryStart() {
    absl::MutexLock lock(&mu_);
    if (live_ >= max_live_) return false;
    ++live_;
    return true;
  }
  int max_live() const { return max_live_; }
  // A stream counted by TryStart ended. Thread-safe.
  void Ended() {
    absl::MutexLock lock(&mu_);
    --live_;
  }

  // Waits until no stream is live or `clock` reaches `deadline`; true when
  // none is.
  bool AwaitNone(absl::Time deadline, const base::Clock& clock = base::Clock::Real()) {
    absl::MutexLock lock(&mu_);
    auto none = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return live_ == 0; };
    return clock.AwaitWithDeadline(mu_, absl::Condition(&none), deadline);
  }

 private:
  const int max_live_;
  absl::Mutex mu_;
  int live_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_STREAM_COUNTER_H_
