#include "base/clock.h"

#include "absl/time/clock.h"

namespace hypercall::base {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& condition,
                         absl::Time deadline) const override ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return mu.AwaitWithDeadline(condition, deadline);
  }
};

}  // namespace

const Clock& Clock::Real() {
  static const Clock* const clock = new RealClock();
  return *clock;
}

}  // namespace hypercall::base
