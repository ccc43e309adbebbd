// The shape of a hypercallctl command: a CLI11 subcommand with its own
// options and arguments. Checking them is separate from running the
// command: a check error is a usage error (exit 2), an error while running
// is a failure talking to the daemon (exit 1).
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_H_

#include <functional>
#include <string_view>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hypercallctl/global_options.h"

namespace hypercall::ctl {

// A command with its arguments checked, ready to talk to the daemon.
using PreparedCommand = std::function<absl::Status(const GlobalOptions& options)>;

// Run once the command line is parsed, while its CLI::App lives: checks
// the values the command's options and arguments received; a usage error
// names the argument and says what is wrong.
using CommandCheck = std::function<absl::StatusOr<PreparedCommand>()>;

// Adds a command's options and arguments to its subcommand `command`, and
// returns the check of what they receive.
using CommandDefiner = CommandCheck (*)(CLI::App& command);

struct CommandSpec {
  // What the user types: "status".
  std::string_view name;
  // Arguments for the usage line: "[--smc] [--vm NAME] FUNC [X1 ... X17]".
  std::string_view arguments;
  // One line for the command list.
  std::string_view summary;
  // More help for `hypercallctl COMMAND --help`: options and examples.
  std::string_view details;
  CommandDefiner define;
};

// Writes `text` to stdout and flushes it (output is often watched live or
// piped). Unavailable when stdout cannot be written.
absl::Status WriteStdout(std::string_view text);

// The check of a command that takes no options or arguments: always `run`.
CommandCheck NothingToCheck(PreparedCommand run);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_H_
