// The group each role's socket gets when the config names none
// (--socket-group ROLE=GROUP, as the systemd unit passes for its role groups
// hypercall-vmm, hypercall-provider and hypercall-observer): who may attach
// VMs, serve providers or observe is then decided by group membership, one
// group per role.
#ifndef HYPERCALL_DAEMON_SOCKET_GROUPS_H_
#define HYPERCALL_DAEMON_SOCKET_GROUPS_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "hypercall/config/v1/config.pb.h"

namespace hypercall::daemon {

// Role ("vmm", "provider", "observer") -> group name or number.
using SocketGroups = std::map<std::string, std::string>;

// Adds one "ROLE=GROUP" to `groups`. InvalidArgument, saying what is wrong,
// for an unknown role, an empty group or a role given twice.
absl::Status AddSocketGroup(const std::string& role_and_group, SocketGroups& groups);

// `config` with each role's socket group set from `groups` where the config
// leaves it empty: a group the config names wins.
config::v1::Config WithSocketGroups(config::v1::Config config, const SocketGroups& groups);

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_SOCKET_GROUPS_H_
