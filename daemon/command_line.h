// hypercalld's command line: what the flags mean and how they parse.
#ifndef HYPERCALL_DAEMON_COMMAND_LINE_H_
#define HYPERCALL_DAEMON_COMMAND_LINE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/log.h"
#include "socket_groups.h"

namespace hypercall::daemon {

struct CommandLine {
  // --runtime-dir DIR: where the sockets live.
  std::string runtime_dir;
  // --log-level debug|info|warning|error.
  LogLevel log_level = LogLevel::kInfo;
  // --providers NAME[,NAME...]: the built-in providers to load, each a
  // registered name, no repeats. Unset: those registered as on by default.
  std::optional<std::vector<std::string>> providers;
  // --config FILE: the config file, read at start and on SIGHUP.
  std::optional<std::string> config_path;
  // --socket-group ROLE=GROUP (repeatable): a role's socket group when the
  // config names none.
  SocketGroups socket_groups;
  // --check-config FILE: check the file and exit.
  std::optional<std::string> check_config_path;
  // --version / --help: print and exit 0.
  bool show_version = false;
  bool show_help = false;
};

// Parses argv[1..]. Flags take their value as the next argument or after
// '='. InvalidArgument, saying what is wrong, for unknown flags, stray
// arguments and bad values (an unknown provider lists the known ones).
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// The --help text (it lists the registered providers).
std::string Usage();

}  // namespace hypercall::daemon

#endif  // HYPERCALL_DAEMON_COMMAND_LINE_H_
