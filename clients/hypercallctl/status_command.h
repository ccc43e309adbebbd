// `hypercallctl status`: the daemon's identity, uptime and counters.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_STATUS_COMMAND_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_STATUS_COMMAND_H_

#include <string>
#include <vector>

#include "hypercall/v1/observer.pb.h"
#include "hypercallctl/command.h"

namespace hypercall::ctl {

CommandCheck DefineStatusCommand(CLI::App& command);

// The reply as "key: value" lines, or (json) one JSON object and '\n'.
std::string RenderStatus(const v1::StatusReply& status, bool json);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_STATUS_COMMAND_H_
