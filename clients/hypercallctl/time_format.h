// How times and durations appear in hypercallctl's tables and traces.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_TIME_FORMAT_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_TIME_FORMAT_H_

#include <cstdint>
#include <string>

namespace hypercall::ctl {

// "14:03:07.123456": local time of day with microseconds, as tcpdump prints.
std::string TimeOfDay(int64_t unix_nanos);

// "2024-05-01 14:03:07": local date and time.
std::string LocalDateTime(int64_t unix_seconds);

// "3d 4h 5m 6s", leading zero units left out ("42s", "1h 0m 3s").
std::string Uptime(uint64_t seconds);

// "850ns", "12.5us", "3.20ms", "1.50s".
std::string Latency(uint64_t nanos);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_TIME_FORMAT_H_
