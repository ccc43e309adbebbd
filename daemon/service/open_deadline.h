// Ends a stream whose peer has not sent its first message (attach, vCPU
// open, provider hello) in time. Before that message the peer is nobody the
// daemon has authorized, so all it may cost is a stream slot for a few
// seconds (limits.open_timeout_ms).
#ifndef HYPERCALL_DAEMON_SERVICE_OPEN_DEADLINE_H_
#define HYPERCALL_DAEMON_SERVICE_OPEN_DEADLINE_H_

#include <functional>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/call_timer.h"

namespace hypercall::service {

// What every stream of a service waits for its first message on.
struct OpenTimeout {
  // Must outlive every stream armed with it.
  base::CallTimer& timer;
  absl::Duration limit;
};

class OpenDeadline {
 public:
  // Runs `expire` on the timer's thread once `timeout.limit` has passed,
  // unless Disarm is called first.
  OpenDeadline(const OpenTimeout& timeout, std::function<void()> expire);
  ~OpenDeadline() { Disarm(); }
  OpenDeadline(const OpenDeadline&) = delete;
  OpenDeadline& operator=(const OpenDeadline&) = delete;

  // Once it returns, `expire` is not running and never will: it waits for a
  // run in progress. Idempotent. Must not be called from `expire`.
  void Disarm();

 private:
  // Shared with the timer's callback, which may run after Disarm returned
  // (and find nothing to do).
  struct State {
    absl::Mutex mu;
    std::function<void()> expire ABSL_GUARDED_BY(mu);
  };
  base::CallTimer& timer_;
  const std::shared_ptr<State> state_;
  base::CallTimer::Id id_;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_OPEN_DEADLINE_H_
