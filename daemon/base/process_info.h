// What /proc says about a peer process beyond its socket credentials: the
// systemd unit it runs in (for VM rules bound to a unit) and its start time
// (so a recycled pid is never taken for the process that had it before).
// The parsers are separate from the reads so they are tested on any text.
#ifndef HYPERCALL_DAEMON_BASE_PROCESS_INFO_H_
#define HYPERCALL_DAEMON_BASE_PROCESS_INFO_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hypercall::base {

// The system unit a process runs in, from the text of /proc/PID/cgroup: on
// the unified hierarchy's line ("0::/system.slice/qemu-a.service/..."), the
// first path component below the leading slices, when it is a service or a
// scope ("qemu-a.service"); empty otherwise (no unified line, the root
// cgroup, not a unit). As systemd's sd_pid_get_unit: not the last component,
// which a process may choose itself in a subtree delegated to it
// (user@1000.service/app.slice/qemu-a.service is unit user@1000.service).
std::string UnitFromCgroup(std::string_view cgroup_file);

// Field 22 (starttime, clock ticks after boot) of the text of
// /proc/PID/stat; nullopt when the text is not such a line. The command
// name (field 2) may hold spaces and parentheses: fields are counted after
// its last ')'.
std::optional<uint64_t> StartTimeFromStat(std::string_view stat_file);

// The same read from /proc for process `pid` now: empty / nullopt when it is
// gone or /proc does not say.
std::string ProcessUnit(pid_t pid);
std::optional<uint64_t> ProcessStartTime(pid_t pid);

}  // namespace hypercall::base

#endif  // HYPERCALL_DAEMON_BASE_PROCESS_INFO_H_
