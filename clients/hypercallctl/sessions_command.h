// `hypercallctl sessions`: the VMs attached to the daemon.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_SESSIONS_COMMAND_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_SESSIONS_COMMAND_H_

#include <string>
#include <vector>

#include "hypercall/v1/observer.pb.h"
#include "hypercallctl/command.h"

namespace hypercall::ctl {

CommandCheck DefineSessionsCommand(CLI::App& command);

// 16 bytes as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"; other lengths as plain
// hex; "" for none.
std::string FormatUuid(const std::string& bytes);

// A table (or, json, one object {"sessions": [...]} and '\n').
std::string RenderSessions(const v1::ListSessionsReply& reply, bool json);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_SESSIONS_COMMAND_H_
