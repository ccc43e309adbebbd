#include "activated_sockets.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hypercall::daemon {
namespace {

constexpr const char* kRoles[] = {"vmm", "provider", "observer"};

bool IsRole(const std::string& name) {
  for (const char* role : kRoles) {
    if (name == role) return true;
  }
  return false;
}

int SocketOption(int fd, int option) {
  int value = -1;
  socklen_t length = sizeof(value);
  if (getsockopt(fd, SOL_SOCKET, option, &value, &length) != 0) return -1;
  return value;
}

// Why `fd` cannot be served as a role socket, or "" when it can.
std::string WhyNotServable(int fd) {
  if (fcntl(fd, F_GETFD) < 0) return "it is not an open descriptor";
  const int domain = SocketOption(fd, SO_DOMAIN);
  if (domain < 0) return absl::StrFormat("it is not a socket (%s)", std::strerror(errno));
  if (domain != AF_UNIX) return "it is not an AF_UNIX socket (ListenStream= must be a path)";
  if (SocketOption(fd, SO_TYPE) != SOCK_STREAM) return "it is not a stream socket";
  if (SocketOption(fd, SO_ACCEPTCONN) != 1) return "it is not listening (use Accept=no)";
  return "";
}

}  // namespace

absl::StatusOr<ActivatedSockets> CheckActivatedSockets(const std::vector<PassedSocket>& passed) {
  ActivatedSockets sockets;
  for (const PassedSocket& socket : passed) {
    const std::string where =
        absl::StrFormat("systemd passed descriptor %d named \"%s\"", socket.fd, socket.name);
    if (!IsRole(socket.name)) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "%s: not a socket name hypercalld knows (FileDescriptorName= must be one of %s)", where,
          absl::StrJoin(kRoles, ", ")));
    }
    if (sockets.contains(socket.name)) {
      return absl::FailedPreconditionError(
          absl::StrFormat("%s: a second socket for that role (one .socket unit per role)", where));
    }
    if (const std::string why = WhyNotServable(socket.fd); !why.empty()) {
      return absl::FailedPreconditionError(absl::StrFormat("%s: %s", where, why));
    }
    const int flags = fcntl(socket.fd, F_GETFL);
    if (fcntl(socket.fd, F_SETFD, FD_CLOEXEC) != 0 || flags < 0 ||
        fcntl(socket.fd, F_SETFL, flags | O_NONBLOCK) != 0) {
      return absl::FailedPreconditionError(
          absl::StrFormat("%s: fcntl: %s", where, std::strerror(errno)));
    }
    sockets[socket.name] = socket.fd;
  }
  return sockets;
}

absl::StatusOr<ActivatedSockets> TakeActivatedSockets() {
  char** names = nullptr;
  const int count = sd_listen_fds_with_names(/*unset_environment=*/1, &names);
  if (count < 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "cannot read the sockets systemd passed (LISTEN_FDS): %s", std::strerror(-count)));
  }
  std::vector<PassedSocket> passed;
  for (int i = 0; i < count; ++i) {
    // Without FileDescriptorName= systemd names each "unknown" (or, with
    // LISTEN_FDNAMES missing, sd-daemon leaves the list out).
    passed.push_back({.fd = SD_LISTEN_FDS_START + i,
                      .name = names != nullptr && names[i] != nullptr ? names[i] : "unknown"});
    if (names != nullptr) std::free(names[i]);
  }
  std::free(names);
  absl::StatusOr<ActivatedSockets> sockets = CheckActivatedSockets(passed);
  if (!sockets.ok()) {
    for (const PassedSocket& socket : passed) close(socket.fd);
  }
  return sockets;
}

}  // namespace hypercall::daemon
