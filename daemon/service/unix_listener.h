// A Unix socket the daemon listens on itself rather than through gRPC, so it
// reads each connecting process's identity (SO_PEERCRED) before gRPC sees the
// connection: the connection is then handed to a gRPC server
// (grpc::AddInsecureChannelFromFd) and its peer recorded in a PeerDirectory.
// A connection over the ConnectionLimiter's limits is closed at once, before
// gRPC or anything else spends on it, and logged (rate-limited).
#ifndef HYPERCALL_DAEMON_SERVICE_UNIX_LISTENER_H_
#define HYPERCALL_DAEMON_SERVICE_UNIX_LISTENER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "base/rate_limited_log.h"
#include "service/connection_limiter.h"
#include "service/peer_directory.h"

namespace hypercall::service {

// Who the socket file belongs to; -1 leaves the daemon's own.
struct SocketOwner {
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
};

class UnixListener {
 public:
  // Listens on `path` with permission bits `mode`, owned by `owner`. The
  // socket appears at `path` complete, listening, with its mode and owner:
  // it is bound in a new directory of the daemon's (mode 0700) beside
  // `path`, given its mode and owner there, where no one else can reach or
  // swap it, and only then renamed to `path`, which must be free (see
  // ClaimSocketPath): a path taken meanwhile is an error, never replaced.
  static absl::StatusOr<std::unique_ptr<UnixListener>> Listen(const std::string& path,
                                                              unsigned mode,
                                                              SocketOwner owner = {});

  // Serves `listen_fd`, a listening AF_UNIX stream socket made by another
  // (systemd, socket activation: daemon/activated_sockets.h), which keeps
  // its socket file: this listener never removes it. Takes the descriptor.
  static absl::StatusOr<std::unique_ptr<UnixListener>> Adopt(int listen_fd);

  // Stops accepting and closes the listening socket; connections already
  // handed to gRPC stay its own. A socket it made: removes the socket file
  // first, while still listening (so no other daemon can have taken the
  // path as stale), and only if the file at `path` is still the one this
  // listener made. An adopted one's file stays, and whoever passed it keeps
  // it listening: connections made meanwhile wait in its queue.
  ~UnixListener();
  UnixListener(const UnixListener&) = delete;
  UnixListener& operator=(const UnixListener&) = delete;

  // Starts accepting on a thread of its own: each connection `limiter`
  // admits has its peer put into `peers`, then goes to `server`. All three
  // must outlive this object. Call once.
  void Serve(grpc::Server& server, PeerDirectory& peers, ConnectionLimiter& limiter);

  const std::string& path() const { return path_; }

 private:
  UnixListener(std::string path, bool owns_file, dev_t dev, ino_t ino, int listen_fd, int stop_fd)
      : path_(std::move(path)),
        owns_file_(owns_file),
        dev_(dev),
        ino_(ino),
        listen_fd_(listen_fd),
        stop_fd_(stop_fd) {}

  void AcceptLoop(grpc::Server& server, PeerDirectory& peers, ConnectionLimiter& limiter);

  const std::string path_;
  // False for an adopted socket, whose file is not this listener's.
  const bool owns_file_;
  // The socket file this listener made.
  const dev_t dev_;
  const ino_t ino_;
  const int listen_fd_;
  // An eventfd: written to stop the accept loop.
  const int stop_fd_;
  daemon::RateLimitedLog refusals_{5};
  std::thread thread_;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_UNIX_LISTENER_H_
