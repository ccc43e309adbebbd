// Which observers see register values and guest addresses in traces: the
// config's `observers { registers { allow_uid/allow_gid } }`, checked
// against a watcher's kernel-verified identity. Nobody is granted by
// default, root included. The daemon replaces the grant on reload and the
// Trace streams ask it for every event, so taking a grant away applies to
// traces already running.
#ifndef HYPERCALL_DAEMON_SERVICE_OBSERVER_GRANT_H_
#define HYPERCALL_DAEMON_SERVICE_OBSERVER_GRANT_H_

#include <sys/types.h>

#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "base/peer_credentials.h"

namespace hypercall::service {

class ObserverGrant {
 public:
  // Grants processes whose uid is in `uids`, or whose primary or a
  // supplementary group is in `gids`; replaces the previous grant.
  // Thread-safe.
  void Replace(std::vector<uid_t> uids, std::vector<gid_t> gids);

  // Whether `peer` sees register values; false for a peer whose identity
  // the daemon does not know. Thread-safe.
  bool SeesRegisters(const std::optional<base::PeerCredentials>& peer) const;

 private:
  mutable absl::Mutex mu_;
  std::vector<uid_t> uids_ ABSL_GUARDED_BY(mu_);
  std::vector<gid_t> gids_ ABSL_GUARDED_BY(mu_);
};

}  // namespace hypercall::service

#endif  // HYPERCALL_DAEMON_SERVICE_OBSERVER_GRANT_H_
