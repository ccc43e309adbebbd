// hypercallctl: the operator's command-line tool for hypercalld. Parses the
// command line, runs one command, and maps the outcome to the exit status.
#include <cstdio>
#include <string>
#include <vector>

#include "hypercallctl/command_line.h"
#include "hypercallctl/command_table.h"

namespace {

// The exit statuses scripts can rely on.
enum ExitStatus {
  kExitOk = 0,
  // The daemon is not running, refused the request, or did not answer.
  kExitFailure = 1,
  // The command line is wrong: nothing was sent.
  kExitUsage = 2,
};

// Prints `message` and where to find help (`command`'s own, when known).
int UsageError(const std::string& message, const std::string& command = "") {
  std::fprintf(stderr, "hypercallctl: %s\nRun 'hypercallctl %s%s--help' for usage.\n",
               message.c_str(), command.c_str(), command.empty() ? "" : " ");
  return kExitUsage;
}

int Run(const std::vector<std::string>& argv) {
  using namespace hypercall::ctl;
  const Invocation invocation = ParseCommandLine(argv);
  if (!invocation.usage_error.ok()) {
    return UsageError(std::string(invocation.usage_error.message()), invocation.command);
  }
  if (invocation.version) {
    std::fputs(VersionText().c_str(), stdout);
    return kExitOk;
  }
  if (invocation.help) {
    if (invocation.command.empty()) {
      std::fputs(UsageText().c_str(), stdout);
      return kExitOk;
    }
    const CommandSpec* command = FindCommand(invocation.command);
    if (command == nullptr) return UsageError("unknown command '" + invocation.command + "'");
    std::fputs(CommandUsageText(*command).c_str(), stdout);
    return kExitOk;
  }
  if (!invocation.run) {
    std::fputs(UsageText().c_str(), stderr);
    return kExitUsage;
  }
  const absl::Status status = invocation.run(invocation.options);
  if (!status.ok()) {
    std::fprintf(stderr, "hypercallctl: %s\n", std::string(status.message()).c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) { return Run(std::vector<std::string>(argv + 1, argv + argc)); }
