#include "hypercallctl/time_format.h"

#include <time.h>

#include "absl/strings/str_format.h"

namespace hypercall::ctl {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

tm LocalTime(int64_t unix_seconds) {
  const time_t seconds = static_cast<time_t>(unix_seconds);
  tm local{};
  localtime_r(&seconds, &local);
  return local;
}

}  // namespace

std::string TimeOfDay(int64_t unix_nanos) {
  // Floor division, so times before 1970 still print a valid time of day.
  int64_t seconds = unix_nanos / kNanosPerSecond;
  int64_t nanos = unix_nanos % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    --seconds;
  }
  const tm local = LocalTime(seconds);
  return absl::StrFormat("%02d:%02d:%02d.%06d", local.tm_hour, local.tm_min, local.tm_sec,
                         nanos / 1000);
}

std::string LocalDateTime(int64_t unix_seconds) {
  const tm local = LocalTime(unix_seconds);
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d", local.tm_year + 1900, local.tm_mon + 1,
                         local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec);
}

std::string Uptime(uint64_t seconds) {
  const uint64_t days = seconds / 86400;
  const uint64_t hours = seconds / 3600 % 24;
  const uint64_t minutes = seconds / 60 % 60;
  const uint64_t secs = seconds % 60;
  if (days > 0) return absl::StrFormat("%ud %uh %um %us", days, hours, minutes, secs);
  if (hours > 0) return absl::StrFormat("%uh %um %us", hours, minutes, secs);
  if (minutes > 0) return absl::StrFormat("%um %us", minutes, secs);
  return absl::StrFormat("%us", secs);
}

std::string Latency(uint64_t nanos) {
  if (nanos < 1000) return absl::StrFormat("%uns", nanos);
  if (nanos < 1000000) return absl::StrFormat("%.1fus", nanos / 1e3);
  if (nanos < 1000000000) return absl::StrFormat("%.2fms", nanos / 1e6);
  return absl::StrFormat("%.2fs", nanos / 1e9);
}

}  // namespace hypercall::ctl
