// Bounds the connections the daemon holds open, in total and per peer uid,
// across all its sockets, so no peer can use up the descriptors, memory or
// connection slots that the others need. The listeners ask before handing a
// connection to gRPC; a connection counts until it is closed, by its peer or
// by gRPC.
//
// How a close is seen: gRPC owns the descriptor it was handed, closes it when
// it likes, and the number may be reused at once, so watching that number
// would be a race. Instead the limiter keeps a duplicate of each admitted
// connection and watches it (epoll). Both descriptors share the one socket:
// when the peer closes or half-closes it, the duplicate reports EPOLLRDHUP;
// when gRPC ends the transport (a GOAWAY, a keepalive timeout, garbage, the
// server's shutdown) it shuts the socket down (shutdown(SHUT_RDWR)) before
// closing its descriptor, which reports EPOLLHUP. Either way the limiter then
// closes its duplicate and the connection stops counting. The duplicate
// never keeps a connection alive on its own: a socket both ends have given
// up is shut down already. It costs one descriptor per connection.
#ifndef HYPERCALL_DAEMON_SERVICE_CONNECTION_LIMITER_H_
#define HYPERCALL_DAEMON_SERVICE_CONNECTION_LIMITER_H_

#include <sys/types.h>

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "base/uid_tally.h"

namespace hypercall::service {

struct ConnectionLimits {
  // Connections open at once, all peers together.
  int max_total = 1024;
  // Connections open at once from processes of one uid.
  int max_per_uid = 256;
};

class ConnectionLimiter {
 public:
  // Starts the watching thread. Fails when epoll or eventfd cannot be made.
  static absl::StatusOr<std::unique_ptr<ConnectionLimiter>> Create(ConnectionLimits limits);
  // Stops watching and closes every duplicate it holds (the connections stay
  // gRPC's).
  ~ConnectionLimiter();
  ConnectionLimiter(const ConnectionLimiter&) = delete;
  ConnectionLimiter& operator=(const ConnectionLimiter&) = delete;

  enum class Verdict { kAdmitted, kTotalFull, kUidFull, kNoDescriptor };
  // Counts the accepted connection `fd` of a process of `uid` and watches it
  // until it closes; any other verdict counts nothing (the caller closes
  // `fd`). Thread-safe.
  Verdict Admit(int fd, uid_t uid) ABSL_LOCKS_EXCLUDED(mu_);

  // Connections counted now, in total and of `uid`. Thread-safe.
  int open() const ABSL_LOCKS_EXCLUDED(mu_);
  int open_of(uid_t uid) const ABSL_LOCKS_EXCLUDED(mu_);
  const ConnectionLimits& limits() const { return limits_; }

 private:
  ConnectionLimiter(ConnectionLimits limits, int epoll_fd, int stop_fd);
  void Watch();
  // The connection whose duplicate is `dup_fd` has closed.
  void Closed(int dup_fd) ABSL_LOCKS_EXCLUDED(mu_);

  const ConnectionLimits limits_;
  const int epoll_fd_;
  // An eventfd: written to stop the watching thread.
  const int stop_fd_;
  mutable absl::Mutex mu_;
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  base::UidTally open_per_uid_ ABSL_GUARDED_BY(mu_);
  // Each duplicate held, with its connection's uid.
  absl::flat_hash_map<int, uid_t> watched_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_CONNECTION_LIMITER_H_
