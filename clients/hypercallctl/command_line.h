// hypercallctl's global options and how the command line splits into them,
// the command name, and the command's own arguments. Global options are
// recognised anywhere before a "--" (like systemctl), so
// `hypercallctl --json status` and `hypercallctl status --json` agree.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_LINE_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_LINE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "wire/runtime_dir.h"

namespace hypercall::ctl {

struct GlobalOptions {
  // --runtime-dir: where the daemon's sockets live; the daemon's default.
  std::string runtime_dir{wire::kDefaultRuntimeDir};
  // --json: machine-readable output instead of aligned tables.
  bool json = false;
  // --timeout: deadline of every request to the daemon, in seconds.
  uint64_t timeout_seconds = 5;
};

// What the user asked for.
struct Invocation {
  GlobalOptions options;
  // --help / -h anywhere (or the `help` command): print usage and exit 0.
  bool help = false;
  // --version: print the version and exit 0.
  bool version = false;
  // The command ("status", "call", ...); empty when none was given.
  std::string command;
  // Everything after the command that is not a global option.
  std::vector<std::string> args;
};

// Splits argv (without argv[0]). InvalidArgument, naming the option, for an
// unknown option before the command, a missing option value, or a bad
// --timeout.
absl::StatusOr<Invocation> ParseCommandLine(const std::vector<std::string>& argv);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_LINE_H_
