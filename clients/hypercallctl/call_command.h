// `hypercallctl call FUNC [X1 ... X17]`: make one SMCCC call as a test VM
// and print every result register, decoded.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_CALL_COMMAND_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_CALL_COMMAND_H_

#include <string>
#include <vector>

#include "hypercallctl/command.h"
#include "smccc/call.h"

namespace hypercall::ctl {

struct CallRequest {
  // The call: function ID, conduit (--smc, default HVC), the arguments
  // given, and args_read_mask naming exactly those registers.
  smccc::Call call;
  // --vm: the test VM's name; "hypercallctl-<pid>" by default.
  std::string vm_name;
};

// Adds --smc, --vm NAME and FUNC [X1 ... X17] to `command`; the check
// refuses as usage errors: no FUNC, a bad number or unknown name, more than
// 17 arguments, and IDs in the reserved ranges (KVM answers those itself and
// never forwards them, so no guest call could reach the daemon).
CommandCheck DefineCallCommand(CLI::App& command);

// The request `call ARGS...` makes, or the usage error the check gives.
absl::StatusOr<CallRequest> ParseCallArgs(const std::vector<std::string>& args);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_CALL_COMMAND_H_
