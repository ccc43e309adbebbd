#include "base/rate_limited_log.h"

namespace hypercall::daemon {

std::optional<uint64_t> RateLimitedLog::Admit() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_.Now();
  if (now - window_start_ >= absl::Seconds(1)) {
    window_start_ = now;
    in_window_ = 0;
  }
  if (in_window_ >= per_second_) {
    ++suppressed_;
    return std::nullopt;
  }
  ++in_window_;
  const uint64_t suppressed = suppressed_;
  suppressed_ = 0;
  return suppressed;
}

}  // namespace hypercall::daemon
