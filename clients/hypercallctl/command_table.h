// The commands hypercallctl knows, and the help text built from them.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_TABLE_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_TABLE_H_

#include <span>
#include <string>
#include <string_view>

#include "hypercallctl/command.h"

namespace hypercall::ctl {

// Every command, in the order the usage lists them.
std::span<const CommandSpec> Commands();

// The command called `name`, or nullptr.
const CommandSpec* FindCommand(std::string_view name);

// The full usage: synopsis, global options, every command.
std::string UsageText();

// Usage of one command, with its details.
std::string CommandUsageText(const CommandSpec& command);

// "hypercallctl/0.1.0 (wire protocol 1)".
std::string VersionText();

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_TABLE_H_
