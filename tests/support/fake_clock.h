// A base::Clock that moves only when the test says (Advance), so deadline
// tests check what happens before and after a deadline without sleeping.
// Waiters notice an Advance within a millisecond (they look again that
// often), and never before the time they wait for has been reached.
#ifndef HYPERCALL_TESTS_SUPPORT_FAKE_CLOCK_H_
#define HYPERCALL_TESTS_SUPPORT_FAKE_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace hypercall::testing {

class FakeClock final : public base::Clock {
 public:
  // Starts at an arbitrary fixed time.
  FakeClock() = default;

  absl::Time Now() const override ABSL_LOCKS_EXCLUDED(mu_);
  bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& condition,
                         absl::Time deadline) const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Moves the time forward by `by`. Thread-safe.
  void Advance(absl::Duration by) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1'000'000'000);
};

}  // namespace hypercall::testing

#endif  // HYPERCALL_TESTS_SUPPORT_FAKE_CLOCK_H_
