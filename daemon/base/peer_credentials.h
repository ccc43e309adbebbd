// Who a peer process is, as the kernel vouches for it (SO_PEERCRED and
// SO_PEERGROUPS, read when it connected, and what /proc said of that pid
// then): what sessions and provider streams carry for policy checks, logs
// and listings.
#ifndef HYPERCALL_DAEMON_BASE_PEER_CREDENTIALS_H_
#define HYPERCALL_DAEMON_BASE_PEER_CREDENTIALS_H_

#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hypercall::base {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  // The primary group.
  gid_t gid = 0;
  // The supplementary groups, sorted.
  std::vector<gid_t> groups = {};
  // The system unit it ran in ("qemu-a.service"; see base::UnitFromCgroup),
  // empty when none.
  std::string unit = {};
  // When it started (/proc/PID/stat starttime); 0 when unknown. With the pid
  // it names one process for the life of the machine.
  uint64_t start_time = 0;

  // True when `group` is the primary or a supplementary group.
  bool InGroup(gid_t group) const {
    return gid == group || std::binary_search(groups.begin(), groups.end(), group);
  }

  // True when an allow list names it: its uid is among `uids`, or one of
  // its groups (primary or supplementary) among `gids`. The config's allow
  // lists (external providers, VM rules, observer grants) all mean this.
  template <typename Uids, typename Gids>
  bool ListedIn(const Uids& uids, const Gids& gids) const {
    return std::find(std::begin(uids), std::end(uids), uid) != std::end(uids) ||
           std::any_of(std::begin(gids), std::end(gids),
                       [this](gid_t group) { return InGroup(group); });
  }
};

// "pid 123 uid 1000 gid 1000" and, when it has supplementary groups,
// " groups 4,27", and when it runs in a unit, " unit qemu-a.service", for
// logs.
inline std::string DescribePeer(const PeerCredentials& peer) {
  std::string out = absl::StrFormat("pid %d uid %d gid %d", peer.pid, peer.uid, peer.gid);
  if (!peer.groups.empty()) out += " groups " + absl::StrJoin(peer.groups, ",");
  if (!peer.unit.empty()) out += " unit " + peer.unit;
  return out;
}

}  // namespace hypercall::base

#endif  // HYPERCALL_DAEMON_BASE_PEER_CREDENTIALS_H_
