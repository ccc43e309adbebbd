// A Unix socket the daemon listens on itself rather than through gRPC, so it
// reads each connecting process's identity (SO_PEERCRED) before gRPC sees the
// connection: the connection is then handed to a gRPC server
// (grpc::AddInsecureChannelFromFd) and its peer recorded in a PeerDirectory.
#ifndef HYPERCALL_DAEMON_SERVICE_UNIX_LISTENER_H_
#define HYPERCALL_DAEMON_SERVICE_UNIX_LISTENER_H_

#include <grpcpp/server.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "service/peer_directory.h"

namespace hypercall::service {

class UnixListener {
 public:
  // Binds and listens on `path`, born with permission bits `mode` (no window
  // in which others could connect). The path must be free (see
  // ClaimSocketPath).
  static absl::StatusOr<std::unique_ptr<UnixListener>> Listen(const std::string& path,
                                                              unsigned mode);

  // Stops accepting and closes the listening socket; connections already
  // handed to gRPC stay its own.
  ~UnixListener();
  UnixListener(const UnixListener&) = delete;
  UnixListener& operator=(const UnixListener&) = delete;

  // Starts accepting on a thread of its own: each connection's peer goes into
  // `peers`, then the connection to `server`. Both must outlive this object.
  // Call once.
  void Serve(grpc::Server& server, PeerDirectory& peers);

  const std::string& path() const { return path_; }

 private:
  UnixListener(std::string path, int listen_fd, int stop_fd)
      : path_(std::move(path)), listen_fd_(listen_fd), stop_fd_(stop_fd) {}

  void AcceptLoop(grpc::Server& server, PeerDirectory& peers);

  const std::string path_;
  const int listen_fd_;
  // An eventfd: written to stop the accept loop.
  const int stop_fd_;
  std::thread thread_;
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_UNIX_LISTENER_H_
