// hypercallctl's command line: global options, then one command (a CLI11
// subcommand) with its own options and arguments. Global options are
// recognised anywhere before a "--" (like systemctl), so
// `hypercallctl --json status` and `hypercallctl status --json` agree.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_LINE_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_LINE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "hypercallctl/command.h"
#include "hypercallctl/global_options.h"

namespace hypercall::ctl {

// What the user asked for.
struct Invocation {
  GlobalOptions options;
  // --help / -h anywhere (or the `help [COMMAND]` command): print usage and
  // exit 0.
  bool help = false;
  // --version: print the version and exit 0.
  bool version = false;
  // The command ("status", "call", ...; with `help`, the one asked about);
  // empty when none was given.
  std::string command;
  // The command, its arguments checked; set unless help, version, no
  // command or a usage error.
  PreparedCommand run;
  // A usage error (InvalidArgument naming the argument); `command` then says
  // whose arguments were wrong, if a command's.
  absl::Status usage_error;
};

// Parses argv (without argv[0]) and, unless help or version was asked for,
// checks the command's arguments.
Invocation ParseCommandLine(const std::vector<std::string>& argv);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_LINE_H_
