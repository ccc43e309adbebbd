#include "service/connection_limiter.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"

namespace hypercall::service {

using daemon::Log;
using daemon::LogLevel;

absl::StatusOr<std::unique_ptr<ConnectionLimiter>> ConnectionLimiter::Create(
    ConnectionLimits limits) {
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return absl::ErrnoToStatus(errno, "epoll_create1");
  const int stop_fd = eventfd(0, EFD_CLOEXEC);
  if (stop_fd < 0) {
    const int error = errno;
    close(epoll_fd);
    return absl::ErrnoToStatus(error, "eventfd");
  }
  epoll_event stop{.events = EPOLLIN, .data = {.fd = stop_fd}};
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, stop_fd, &stop) != 0) {
    const int error = errno;
    close(epoll_fd);
    close(stop_fd);
    return absl::ErrnoToStatus(error, "epoll_ctl");
  }
  return std::unique_ptr<ConnectionLimiter>(new ConnectionLimiter(limits, epoll_fd, stop_fd));
}

ConnectionLimiter::ConnectionLimiter(ConnectionLimits limits, int epoll_fd, int stop_fd)
    : limits_(limits),
      epoll_fd_(epoll_fd),
      stop_fd_(stop_fd),
      open_per_uid_(static_cast<size_t>(limits.max_per_uid)) {
  thread_ = std::thread([this] { Watch(); });
}

ConnectionLimiter::~ConnectionLimiter() {
  const uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof(one)) < 0) {
    Log(LogLevel::kError, "cannot stop the connection watcher: %s", std::strerror(errno));
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  for (const auto& [dup_fd, uid] : watched_) close(dup_fd);
  close(epoll_fd_);
  close(stop_fd_);
}

ConnectionLimiter::Verdict ConnectionLimiter::Admit(int fd, uid_t uid) {
  absl::MutexLock lock(&mu_);
  if (open_ >= limits_.max_total) return Verdict::kTotalFull;
  if (open_per_uid_.Full(uid)) return Verdict::kUidFull;
  const int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  epoll_event event{.events = EPOLLRDHUP, .data = {.fd = dup_fd}};  // EPOLLHUP is implied.
  if (dup_fd < 0 || epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, dup_fd, &event) != 0) {
    if (dup_fd >= 0) close(dup_fd);
    return Verdict::kNoDescriptor;
  }
  open_per_uid_.Take(uid);
  ++open_;
  watched_[dup_fd] = uid;
  return Verdict::kAdmitted;
}

void ConnectionLimiter::Closed(int dup_fd) {
  absl::MutexLock lock(&mu_);
  auto it = watched_.find(dup_fd);
  if (it == watched_.end()) return;
  open_per_uid_.Release(it->second);
  --open_;
  watched_.erase(it);
  // Closing removes it from the epoll set too.
  close(dup_fd);
}

void ConnectionLimiter::Watch() {
  epoll_event events[64];
  while (true) {
    const int n = epoll_wait(epoll_fd_, events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      Log(LogLevel::kError, "connection watcher stopped: epoll_wait: %s", std::strerror(errno));
      return;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == stop_fd_) return;
      Closed(events[i].data.fd);
    }
  }
}

int ConnectionLimiter::open() const {
  absl::MutexLock lock(&mu_);
  return open_;
}

int ConnectionLimiter::open_of(uid_t uid) const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(open_per_uid_.Of(uid));
}

}  // namespace hypercall::service
