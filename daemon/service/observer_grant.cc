#include "service/observer_grant.h"

namespace hypercall::service {

void ObserverGrant::Replace(std::vector<uid_t> uids, std::vector<gid_t> gids) {
  absl::MutexLock lock(&mu_);
  uids_ = std::move(uids);
  gids_ = std::move(gids);
}

bool ObserverGrant::SeesRegisters(const std::optional<base::PeerCredentials>& peer) const {
  if (!peer.has_value()) return false;
  absl::ReaderMutexLock lock(&mu_);
  return peer->ListedIn(uids_, gids_);
}

}  // namespace hypercall::service
