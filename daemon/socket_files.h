// The runtime directory and the socket files in it: created with the right
// modes, never shared with another live daemon, never left behind.
#ifndef HYPERCALL_DAEMON_SOCKET_FILES_H_
#define HYPERCALL_DAEMON_SOCKET_FILES_H_

#include <string>

#include "absl/status/status.h"

namespace hypercall::daemon {

// Creates `dir` (mode 0755, parents too) when missing. Fails when it exists
// but is not a directory, or cannot be created.
absl::Status PrepareRuntimeDir(const std::string& dir);

// Makes `path` free for a new listening socket: FailedPrecondition when a
// daemon already answers on it, or when it is something other than a
// socket; a stale socket file (nobody listening) is removed.
absl::Status ClaimSocketPath(const std::string& path);

// Gives the socket file `path` to `owner` and `group` (names or numbers;
// empty leaves it as it is). InvalidArgument naming an unknown user or
// group; the error of chown(2) otherwise.
absl::Status SetSocketOwner(const std::string& path, const std::string& owner,
                            const std::string& group);

// Removes `path`; a missing file is fine.
void RemoveSocketFile(const std::string& path);

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_SOCKET_FILES_H_
