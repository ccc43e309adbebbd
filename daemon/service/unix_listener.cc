#include "service/unix_listener.h"

#include <grpcpp/server_posix.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/str_format.h"
#include "base/log.h"

namespace hypercall::service {

using daemon::Log;
using daemon::LogLevel;

namespace {

// The supplementary groups the peer of `fd` had when it connected, sorted;
// empty (logged) when the kernel will not say.
std::vector<gid_t> PeerGroups(int fd) {
  std::vector<gid_t> groups(16);
  for (;;) {
    socklen_t length = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &length) == 0) {
      groups.resize(length / sizeof(gid_t));
      std::sort(groups.begin(), groups.end());
      return groups;
    }
    // ERANGE: `length` now says how much room the list needs.
    if (errno != ERANGE || length <= groups.size() * sizeof(gid_t)) break;
    groups.resize(length / sizeof(gid_t));
  }
  Log(LogLevel::kWarning,
      "SO_PEERGROUPS: %s; the peer's supplementary groups count for nothing in policy",
      std::strerror(errno));
  return {};
}

}  // namespace

absl::StatusOr<std::unique_ptr<UnixListener>> UnixListener::Listen(const std::string& path,
                                                                   unsigned mode) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("socket path %s is %d bytes; Unix sockets allow %d", path, path.size(),
                        sizeof(address.sun_path) - 1));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::ErrnoToStatus(errno, "socket(AF_UNIX)");
  const mode_t previous_umask = umask(0777 & ~mode);
  const int bound = bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  const int bind_error = errno;
  umask(previous_umask);
  if (bound != 0) {
    close(fd);
    return absl::ErrnoToStatus(bind_error, absl::StrFormat("cannot listen on %s", path));
  }
  if (listen(fd, SOMAXCONN) != 0) {
    const int error = errno;
    close(fd);
    unlink(path.c_str());
    return absl::ErrnoToStatus(error, absl::StrFormat("cannot listen on %s", path));
  }
  const int stop_fd = eventfd(0, EFD_CLOEXEC);
  if (stop_fd < 0) {
    const int error = errno;
    close(fd);
    unlink(path.c_str());
    return absl::ErrnoToStatus(error, "eventfd");
  }
  return std::unique_ptr<UnixListener>(new UnixListener(path, fd, stop_fd));
}

UnixListener::~UnixListener() {
  const uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) < 0) {
    Log(LogLevel::kError, "cannot stop the listener on %s: %s", path_, std::strerror(errno));
  }
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
  close(stop_fd_);
}

void UnixListener::Serve(grpc::Server& server, PeerDirectory& peers) {
  thread_ = std::thread([this, &server, &peers] { AcceptLoop(server, peers); });
}

void UnixListener::AcceptLoop(grpc::Server& server, PeerDirectory& peers) {
  while (true) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      Log(LogLevel::kError, "stopped accepting on %s: poll: %s", path_, std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // The peer may have gone before we took it, or descriptors may have
      // run out for a moment: neither ends the listener.
      if (errno != EAGAIN && errno != ECONNABORTED && errno != EINTR) {
        Log(LogLevel::kWarning, "accept on %s: %s", path_, std::strerror(errno));
        if (errno == EMFILE || errno == ENFILE) poll(fds + 1, 1, 100);
      }
      continue;
    }
    ucred credentials{};
    socklen_t length = sizeof(credentials);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) {
      Log(LogLevel::kWarning, "refusing a connection on %s: SO_PEERCRED: %s", path_,
          std::strerror(errno));
      close(fd);
      continue;
    }
    peers.Record(fd, {.pid = credentials.pid,
                      .uid = credentials.uid,
                      .gid = credentials.gid,
                      .groups = PeerGroups(fd)});
    grpc::AddInsecureChannelFromFd(&server, fd);
  }
}

}  // namespace hypercall::service
