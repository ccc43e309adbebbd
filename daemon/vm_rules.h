// The config's VM rules (config.proto VmRule) as the broker's VM policies:
// which providers a VM's plan gets, and which VMM processes may attach it.
// The first rule whose name pattern matches the VM's name decides both.
#ifndef HYPERCALL_DAEMON_VM_RULES_H_
#define HYPERCALL_DAEMON_VM_RULES_H_

#include "core/broker.h"
#include "hypercall/config/v1/config.pb.h"

namespace hypercall::daemon {

// The policies of `config`'s VM rules. `plan` is empty when the config has
// no rules (every VM gets every provider); otherwise a VM no rule matches
// gets none. `attach` is empty when no rule names who may attach; otherwise
// a VM whose deciding rule lists uids, gids or units may be attached only by
// a process whose uid, primary or supplementary group, or system unit is
// listed, and anyone else (and an unknown peer) is refused PermissionDenied
// naming the rule and the peer. A VM no rule matches, or whose rule lists
// none, anyone may attach.
core::Broker::VmPolicy VmRulePolicy(const config::v1::Config& config);

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_VM_RULES_H_
