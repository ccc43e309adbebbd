#include "socket_files.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace hypercall::daemon {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

// True when something accepts connections on the socket at `path`.
bool SomeoneListens(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return connected;
}

}  // namespace

absl::Status PrepareRuntimeDir(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return absl::FailedPreconditionError(
          absl::StrFormat("runtime dir %s exists but is not a directory", dir));
    }
    return absl::OkStatus();
  }
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrFormat("cannot create runtime dir %s: %s (choose another with --runtime-dir)", dir,
                        error.message()));
  }
  if (chmod(dir.c_str(), 0755) != 0) {
    return absl::FailedPreconditionError(
        absl::StrFormat("cannot set mode 0755 on %s: %s", dir, ErrnoText(errno)));
  }
  return absl::OkStatus();
}

absl::Status ClaimSocketPath(const std::string& path) {
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "socket path %s is too long for a Unix socket (at most %d bytes): use a shorter "
        "--runtime-dir",
        path, sizeof(sockaddr_un{}.sun_path) - 1));
  }
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrFormat("cannot inspect %s: %s", path, ErrnoText(errno)));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrFormat("%s exists and is not a socket: refusing to replace it", path));
  }
  if (SomeoneListens(path)) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "another hypercalld is already serving %s: stop it first, or use another --runtime-dir",
        path));
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return absl::FailedPreconditionError(
        absl::StrFormat("cannot remove stale socket %s: %s", path, ErrnoText(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<service::SocketOwner> ResolveSocketOwner(const std::string& path,
                                                        const std::string& owner,
                                                        const std::string& group) {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  std::vector<char> buffer(16384);
  if (!owner.empty() && !absl::SimpleAtoi(owner, &uid)) {
    passwd entry{};
    passwd* found = nullptr;
    if (getpwnam_r(owner.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
        found == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrFormat("socket %s: no user \"%s\" on this system", path, owner));
    }
    uid = found->pw_uid;
  }
  if (!group.empty() && !absl::SimpleAtoi(group, &gid)) {
    struct group entry {};
    struct group* found = nullptr;
    if (getgrnam_r(group.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 ||
        found == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrFormat("socket %s: no group \"%s\" on this system", path, group));
    }
    gid = found->gr_gid;
  }
  return service::SocketOwner{.uid = uid, .gid = gid};
}

}  // namespace hypercall::daemon
