// The shape of a hypercallctl command. Parsing its arguments is separate
// from running it: a parse error is a usage error (exit 2), an error while
// running is a failure talking to the daemon (exit 1).
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hypercallctl/command_line.h"

namespace hypercall::ctl {

// A command with its arguments checked, ready to talk to the daemon.
using PreparedCommand = std::function<absl::Status(const GlobalOptions& options)>;

// Checks a command's arguments (not counting global options); a usage error
// names the argument and says what is wrong.
using CommandParser = absl::StatusOr<PreparedCommand> (*)(const std::vector<std::string>& args);

struct CommandSpec {
  // What the user types: "status".
  std::string_view name;
  // Arguments for the usage line: "[--smc] [--vm NAME] FUNC [X1 ... X17]".
  std::string_view arguments;
  // One line for the command list.
  std::string_view summary;
  // More help for `hypercallctl COMMAND --help`: options and examples.
  std::string_view details;
  CommandParser parse;
};

// Writes `text` to stdout and flushes it (output is often watched live or
// piped). Unavailable when stdout cannot be written.
absl::Status WriteStdout(std::string_view text);

// A parser for commands that take no arguments: a usage error for any.
absl::StatusOr<PreparedCommand> NoArguments(std::string_view command,
                                            const std::vector<std::string>& args,
                                            PreparedCommand run);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_H_
