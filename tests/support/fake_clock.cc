#include "support/fake_clock.h"

namespace hypercall::testing {

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

bool FakeClock::AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& condition,
                                  absl::Time deadline) const {
  // The caller's mutex is not told of Advance, so look again each
  // millisecond of real time until the condition holds or the fake time
  // reaches the deadline.
  while (!mu.AwaitWithTimeout(condition, absl::Milliseconds(1))) {
    if (Now() >= deadline) return false;
  }
  return true;
}

void FakeClock::Advance(absl::Duration by) {
  absl::MutexLock lock(&mu_);
  now_ += by;
}

}  // namespace hypercall::testing
