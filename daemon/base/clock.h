// Where the daemon reads the time its deadlines are measured in: the real
// clock in the daemon, one that moves only when told in tests (FakeClock in
// tests/support), so a deadline test neither sleeps nor races the machine.
#ifndef HYPERCALL_DAEMON_BASE_CLOCK_H_
#define HYPERCALL_DAEMON_BASE_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace hypercall::base {

class Clock {
 public:
  virtual ~Clock() = default;

  virtual absl::Time Now() const = 0;

  // With `mu` held: waits until `condition` holds or Now() reaches
  // `deadline`, releasing `mu` meanwhile, as absl::Mutex::AwaitWithDeadline
  // does; returns whether `condition` holds. `condition` is evaluated with
  // `mu` held.
  virtual bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& condition,
                                 absl::Time deadline) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) = 0;

  // The machine's clock (absl::Now()).
  static const Clock& Real();
};

}  // namespace hypercall::base

#endif  // HYPERCALL_DAEMON_BASE_CLOCK_H_
