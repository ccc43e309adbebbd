// The file in which the daemon records which VMM process holds each live VM
// name (<runtime-dir>/held-vm-names), so that after a restart the next run
// can keep each name for the process that had it (NameReservations). One
// line per name, "NAME PID UID START_TIME" (START_TIME: /proc/PID/stat
// starttime, so a recycled pid never matches), '#' lines are comments.
// The file is read back as untrusted input: whatever is not such a line is
// skipped with a reason, never trusted or fatal.
#ifndef HYPERCALL_DAEMON_CORE_HELD_NAMES_H_
#define HYPERCALL_DAEMON_CORE_HELD_NAMES_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace hypercall::core {

struct HeldName {
  std::string name;
  pid_t pid = 0;
  uid_t uid = 0;
  uint64_t start_time = 0;
};

// Lines kept from a file at most; the rest are skipped (the daemon never
// holds more sessions than that).
inline constexpr size_t kMaxHeldNames = 65536;

// The file's text for `names`.
std::string FormatHeldNames(const std::vector<HeldName>& names);

struct ParsedHeldNames {
  std::vector<HeldName> names;
  // One line per skipped line: "line N: what is wrong".
  std::vector<std::string> skipped;
};
// The entries of `text`: valid VM names, pids > 0, start times > 0, each
// name once (a later duplicate is skipped), at most kMaxHeldNames.
ParsedHeldNames ParseHeldNames(std::string_view text);

// Replaces the file at `path` with `names`, atomically (a temporary file in
// the same directory, mode 0600, renamed over it): a reader sees the old
// file or the new one, never a part.
absl::Status WriteHeldNamesFile(const std::string& path, const std::vector<HeldName>& names);

// The text of the file at `path`: NotFound when there is none;
// FailedPrecondition when it is not a regular file owned by this process's
// user (it is not ours to trust) or is larger than any file
// WriteHeldNamesFile writes.
absl::StatusOr<std::string> ReadHeldNamesFile(const std::string& path);

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_HELD_NAMES_H_
