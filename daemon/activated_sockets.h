// The listening sockets systemd passes in when the daemon is socket-activated
// (hypercalld-{vmm,provider,observer}.socket, FileDescriptorName= naming each
// role): the daemon serves them through its own accept loop, with the same
// peer checks as the sockets it binds itself (service/unix_listener.h).
#ifndef HYPERCALL_DAEMON_ACTIVATED_SOCKETS_H_
#define HYPERCALL_DAEMON_ACTIVATED_SOCKETS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hypercall::daemon {

// Role ("vmm", "provider", "observer") -> listening descriptor.
using ActivatedSockets = std::map<std::string, int>;

// One descriptor passed in, with the name systemd gave it.
struct PassedSocket {
  int fd;
  std::string name;
};

// `passed` by role. FailedPrecondition, naming the descriptor and what to
// fix, for a name that is no role, a role passed twice, or a descriptor
// that is not a listening AF_UNIX stream socket. Each descriptor is made
// close-on-exec and non-blocking (the accept loop polls it).
absl::StatusOr<ActivatedSockets> CheckActivatedSockets(const std::vector<PassedSocket>& passed);

// The sockets systemd passed this process (sd_listen_fds_with_names, which
// also clears LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES), checked as above;
// empty when not socket-activated. On failure the descriptors are closed.
absl::StatusOr<ActivatedSockets> TakeActivatedSockets();

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_ACTIVATED_SOCKETS_H_
