// A log for one kind of event a peer can cause (a refused connection, a
// protocol mistake, a stray result): at most `per_second` lines a second get
// through, and the first line after a quiet spell says how many were
// suppressed, so no peer can flood the journal or hide other lines in noise.
#ifndef HYPERCALL_DAEMON_BASE_RATE_LIMITED_LOG_H_
#define HYPERCALL_DAEMON_BASE_RATE_LIMITED_LOG_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/log.h"

namespace hypercall::daemon {

class RateLimitedLog {
 public:
  // `clock` must outlive the log.
  explicit RateLimitedLog(int per_second, const base::Clock& clock = base::Clock::Real())
      : per_second_(per_second), clock_(clock) {}

  // Logs the line unless `per_second` lines went out in the current second;
  // appends "(N similar lines suppressed)" to the first line let through
  // after some were. Thread-safe.
  template <typename... Args>
  void Log(LogLevel level, const absl::FormatSpec<Args...>& format, const Args&... args) {
    if (!LogEnabled(level)) return;
    const std::optional<uint64_t> suppressed = Admit();
    if (!suppressed.has_value()) return;
    std::string line = absl::StrFormat(format, args...);
    if (*suppressed > 0)
      absl::StrAppendFormat(&line, " (%d similar lines suppressed)", *suppressed);
    LogLine(level, line);
  }

 private:
  // nullopt: suppress this line; otherwise the lines suppressed before it.
  std::optional<uint64_t> Admit() ABSL_LOCKS_EXCLUDED(mu_);

  const int per_second_;
  const base::Clock& clock_;
  absl::Mutex mu_;
  absl::Time window_start_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int in_window_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t suppressed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_BASE_RATE_LIMITED_LOG_H_
