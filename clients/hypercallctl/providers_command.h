// `hypercallctl providers`: the providers the daemon knows and the ranges
// each owns.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_PROVIDERS_COMMAND_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_PROVIDERS_COMMAND_H_

#include <string>
#include <vector>

#include "hypercall/v1/observer.pb.h"
#include "hypercallctl/command.h"

namespace hypercall::ctl {

CommandCheck DefineProvidersCommand(CLI::App& command);

// A table (or, json, one object {"providers": [...]} and '\n').
std::string RenderProviders(const v1::ListProvidersReply& reply, bool json);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_PROVIDERS_COMMAND_H_
