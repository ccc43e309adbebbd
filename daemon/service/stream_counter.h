// Counts live streams so shutdown can wait until they have all ended
// (each after answering its call in flight) before stopping the server.
#ifndef HYPERCALL_DAEMON_SERVICE_STREAM_COUNTER_H_
#define HYPERCALL_DAEMON_SERVICE_STREAM_COUNTER_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hypercall::service {

class StreamCounter {
 public:
  // A stream started / ended. Thread-safe.
  void Started() {
    absl::MutexLock lock(&mu_);
    ++live_;
  }
  void Ended() {
    absl::MutexLock lock(&mu_);
    --live_;
  }

  // Waits until no stream is live or `deadline` passes; true when none is.
  bool AwaitNone(absl::Time deadline) {
    absl::MutexLock lock(&mu_);
    auto none = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return live_ == 0; };
    return mu_.AwaitWithDeadline(absl::Condition(&none), deadline);
  }

 private:
  absl::Mutex mu_;
  int live_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_STREAM_COUNTER_H_
