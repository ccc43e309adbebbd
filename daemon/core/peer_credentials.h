// Who a peer process is, as the kernel vouches for it (SO_PEERCRED): what
// sessions and provider streams carry for policy checks, logs and listings.
#ifndef HYPERCALL_DAEMON_CORE_PEER_CREDENTIALS_H_
#define HYPERCALL_DAEMON_CORE_PEER_CREDENTIALS_H_

#include <sys/types.h>

#include <string>

#include "absl/strings/str_format.h"

namespace hypercall::core {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// "pid 123 uid 1000 gid 1000", for logs.
inline std::string DescribePeer(const PeerCredentials& peer) {
  return absl::StrFormat("pid %d uid %d gid %d", peer.pid, peer.uid, peer.gid);
}

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_PEER_CREDENTIALS_H_
