// Who is on the other end of each connection, as the kernel vouches for it
// (SO_PEERCRED), for the connections the daemon accepted itself and handed to
// gRPC. gRPC names such a connection "fd:N" in ServerContext::peer(); the
// services look that name up here to check policy and to show who a session
// or provider is.
#ifndef HYPERCALL_DAEMON_SERVICE_PEER_DIRECTORY_H_
#define HYPERCALL_DAEMON_SERVICE_PEER_DIRECTORY_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "base/peer_credentials.h"

namespace hypercall::service {

using base::DescribePeer;
using base::PeerCredentials;

// The descriptor of the connection gRPC calls `grpc_peer` ("fd:N"); nullopt
// for any other kind of peer name.
std::optional<int> ConnectionFd(std::string_view grpc_peer);

class PeerDirectory {
 public:
  // Records the peer of the accepted connection `fd`, replacing what an
  // earlier connection with the same descriptor number left, with the unit
  // and start time /proc gives for its pid now (as it connects, before the
  // process could go and its pid be reused). Thread-safe.
  void Record(int fd, const PeerCredentials& peer);

  // The peer of the connection gRPC calls `grpc_peer` ("fd:N"); nullopt for
  // any other kind of peer name or an unknown descriptor. Thread-safe.
  std::optional<PeerCredentials> Find(std::string_view grpc_peer) const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<int, PeerCredentials> peers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_PEER_DIRECTORY_H_
