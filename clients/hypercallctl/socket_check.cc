#include "hypercallctl/socket_check.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"

namespace hypercall::ctl {
namespace {

std::string NotRunning(const std::string& path, const std::string& why) {
  return absl::StrFormat("hypercalld is not running: %s %s (start it, or pass --runtime-dir)", why,
                         path);
}

// "group 'hypercall'", or "gid 123" when the group has no name.
std::string GroupOf(gid_t gid) {
  char buffer[4096];
  group entry{};
  group* found = nullptr;
  if (getgrgid_r(gid, &entry, buffer, sizeof(buffer), &found) == 0 && found != nullptr) {
    return absl::StrFormat("group '%s'", found->gr_name);
  }
  return absl::StrFormat("gid %u", gid);
}

absl::Status PermissionDenied(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "permission denied on %s (a directory on the way is not searchable): run as root or "
        "as a member of the daemon's group",
        path));
  }
  return absl::PermissionDeniedError(
      absl::StrFormat("permission denied on %s (mode %04o): run as root or as a member of %s", path,
                      info.st_mode & 07777, GroupOf(info.st_gid)));
}

}  // namespace

absl::Status CheckDaemonSocket(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) {
      return absl::UnavailableError(NotRunning(path, "no socket at"));
    }
    if (error == EACCES) return PermissionDenied(path);
    return absl::FailedPreconditionError(
        absl::StrFormat("cannot check %s: %s", path, std::strerror(error)));
  }
  if (!S_ISSOCK(info.st_mode)) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s is not a socket: is --runtime-dir the daemon's runtime directory?", path));
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    return absl::FailedPreconditionError(
        absl::StrFormat("socket path %s is longer than %u bytes: use a shorter --runtime-dir", path,
                        sizeof(address.sun_path) - 1));
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrFormat("socket(AF_UNIX): %s", std::strerror(errno)));
  }
  const int result = connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  const int error = errno;
  close(fd);
  if (result == 0) return absl::OkStatus();
  switch (error) {
    case ECONNREFUSED:
      return absl::UnavailableError(NotRunning(path, "nothing listens on the socket at"));
    case EACCES:
    case EPERM:
      return PermissionDenied(path);
    default:
      return absl::UnavailableError(
          absl::StrFormat("cannot connect to %s: %s", path, std::strerror(error)));
  }
}

}  // namespace hypercall::ctl
