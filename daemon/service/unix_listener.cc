#include "service/unix_listener.h"

#include <fcntl.h>
#include <grpcpp/server_posix.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
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

// Why `verdict` refused a connection.
std::string Refusal(ConnectionLimiter::Verdict verdict, const ConnectionLimits& limits) {
  switch (verdict) {
    case ConnectionLimiter::Verdict::kTotalFull:
      return absl::StrFormat("%d connections are open (limits.max_connections)", limits.max_total);
    case ConnectionLimiter::Verdict::kUidFull:
      return absl::StrFormat("its uid has %d connections open (limits.max_connections_per_uid)",
                             limits.max_per_uid);
    default:
      return absl::StrFormat("cannot watch the connection: %s", std::strerror(errno));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<UnixListener>> UnixListener::Listen(const std::string& path,
                                                                   unsigned mode,
                                                                   SocketOwner owner) {
  const std::filesystem::path target(path);
  std::string private_dir = (target.parent_path() / ".hypercalld-XXXXXX").string();
  const std::string name = target.filename().string();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string private_path = private_dir + "/" + name;
  if (private_path.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "socket path %s is %d bytes; Unix sockets allow %d, less the %d the daemon needs to "
        "create it",
        path, path.size(), sizeof(address.sun_path) - 1, private_path.size() - path.size()));
  }
  if (mkdtemp(private_dir.data()) == nullptr) {
    return absl::ErrnoToStatus(errno, absl::StrFormat("cannot listen on %s: mkdtemp", path));
  }
  const std::string bound_path = private_dir + "/" + name;
  std::memcpy(address.sun_path, bound_path.c_str(), bound_path.size() + 1);
  auto fail = [&](const std::string& what, int fd) {
    const int error = errno;
    if (fd >= 0) close(fd);
    unlink(bound_path.c_str());
    rmdir(private_dir.c_str());
    return absl::ErrnoToStatus(error, absl::StrFormat("cannot listen on %s: %s", path, what));
  };
  // Non-blocking: a peer gone between poll and accept must not hold the
  // accept loop (and with it Shutdown) until the next connection.
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return fail("socket(AF_UNIX)", -1);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return fail("bind", fd);
  }
  // Inside the daemon's own directory: nothing can be swapped in under
  // the name, so plain path calls act on this socket.
  if (chmod(bound_path.c_str(), mode) != 0) return fail("chmod", fd);
  if ((owner.uid != static_cast<uid_t>(-1) || owner.gid != static_cast<gid_t>(-1)) &&
      lchown(bound_path.c_str(), owner.uid, owner.gid) != 0) {
    return fail(absl::StrFormat("cannot give the socket to %d:%d", static_cast<int>(owner.uid),
                                static_cast<int>(owner.gid)),
                fd);
  }
  struct stat file {};
  if (lstat(bound_path.c_str(), &file) != 0) return fail("lstat", fd);
  if (listen(fd, SOMAXCONN) != 0) return fail("listen", fd);
  if (renameat2(AT_FDCWD, bound_path.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
    return fail("the path is taken", fd);
  }
  rmdir(private_dir.c_str());
  const int stop_fd = eventfd(0, EFD_CLOEXEC);
  if (stop_fd < 0) {
    const int error = errno;
    close(fd);
    unlink(path.c_str());
    return absl::ErrnoToStatus(error, "eventfd");
  }
  return std::unique_ptr<UnixListener>(
      new UnixListener(path, /*owns_file=*/true, file.st_dev, file.st_ino, fd, stop_fd));
}

absl::StatusOr<std::unique_ptr<UnixListener>> UnixListener::Adopt(int listen_fd) {
  sockaddr_un address{};
  socklen_t length = sizeof(address);
  std::string path = "an adopted socket";
  if (getsockname(listen_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
      length > offsetof(sockaddr_un, sun_path) && address.sun_path[0] != '\0') {
    path = std::string(address.sun_path,
                       strnlen(address.sun_path, length - offsetof(sockaddr_un, sun_path)));
  }
  const int stop_fd = eventfd(0, EFD_CLOEXEC);
  if (stop_fd < 0) {
    const int error = errno;
    close(listen_fd);
    return absl::ErrnoToStatus(error, "eventfd");
  }
  return std::unique_ptr<UnixListener>(
      new UnixListener(std::move(path), /*owns_file=*/false, 0, 0, listen_fd, stop_fd));
}

UnixListener::~UnixListener() {
  struct stat file {};
  if (!owns_file_) {
    // systemd's socket unit keeps the file and the queue.
  } else if (lstat(path_.c_str(), &file) == 0 && file.st_dev == dev_ && file.st_ino == ino_) {
    unlink(path_.c_str());
  } else {
    Log(LogLevel::kWarning, "%s is no longer the socket this daemon made: leaving it", path_);
  }
  const uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) < 0) {
    Log(LogLevel::kError, "cannot stop the listener on %s: %s", path_, std::strerror(errno));
  }
  if (thread_.joinable()) thread_.join();
  close(listen_fd_);
  close(stop_fd_);
}

void UnixListener::Serve(grpc::Server& server, PeerDirectory& peers, ConnectionLimiter& limiter) {
  thread_ = std::thread([this, &server, &peers, &limiter] { AcceptLoop(server, peers, limiter); });
}

void UnixListener::AcceptLoop(grpc::Server& server, PeerDirectory& peers,
                              ConnectionLimiter& limiter) {
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
    if (const ConnectionLimiter::Verdict verdict = limiter.Admit(fd, credentials.uid);
        verdict != ConnectionLimiter::Verdict::kAdmitted) {
      const std::string reason = Refusal(verdict, limiter.limits());
      close(fd);
      refusals_.Log(LogLevel::kWarning, "refused a connection on %s from %s: %s", path_,
                    DescribePeer({.pid = credentials.pid,
                                  .uid = credentials.uid,
                                  .gid = credentials.gid,
                                  .groups = {}}),
                    reason);
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
