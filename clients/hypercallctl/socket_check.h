// Checks a daemon socket before gRPC dials it, so the user learns exactly
// what is wrong (no daemon, stale socket, no permission) instead of gRPC's
// generic "failed to connect to all addresses".
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_SOCKET_CHECK_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_SOCKET_CHECK_H_

#include <string>

#include "absl/status/status.h"

namespace hypercall::ctl {

// OK when something accepts connections on the Unix socket at `path` (it
// connects once and closes). Otherwise:
// - Unavailable "hypercalld is not running: ..." when the path is missing or
//   nothing listens on it (ECONNREFUSED);
// - PermissionDenied naming the socket's group when the caller may not
//   connect;
// - FailedPrecondition when the path is not a socket or too long.
absl::Status CheckDaemonSocket(const std::string& path);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_SOCKET_CHECK_H_
