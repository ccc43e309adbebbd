// The runtime directory and the socket files in it: created with the right
// modes, never shared with another live daemon. (The listener places each
// socket file and removes it: service/unix_listener.h.)
#ifndef HYPERCALL_DAEMON_SOCKET_FILES_H_
#define HYPERCALL_DAEMON_SOCKET_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/unix_listener.h"

namespace hypercall::daemon {

// Creates `dir` (mode 0755, parents too) when missing. Fails when it exists
// but is not a directory, or cannot be created.
absl::Status PrepareRuntimeDir(const std::string& dir);

// Makes `path` free for a new listening socket: FailedPrecondition when a
// daemon already answers on it, or when it is something other than a
// socket; a stale socket file (nobody listening) is removed.
absl::Status ClaimSocketPath(const std::string& path);

// The uid and gid of `owner` and `group` (names or numbers; empty: -1, the
// daemon's own) for the socket `path`. InvalidArgument naming an unknown
// user or group.
absl::StatusOr<service::SocketOwner> ResolveSocketOwner(const std::string& path,
                                                        const std::string& owner,
                                                        const std::string& group);

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_SOCKET_FILES_H_
