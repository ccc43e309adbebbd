// hypercall-provider-host's command line: which built-in provider to serve,
// under which external name, with which options, and how to reach the
// daemon; or --print-config / --help instead of serving.
#ifndef HYPERCALL_CLIENTS_PROVIDER_HOST_COMMAND_LINE_H_
#define HYPERCALL_CLIENTS_PROVIDER_HOST_COMMAND_LINE_H_

#include <string>

#include "absl/status/statusor.h"
#include "hypercall/provider/runner.h"

namespace hypercall::provider_host {

extern const char kUsage[];

struct CommandLine {
  // The built-in provider's registered name (--provider).
  std::string provider;
  // The external provider's name in the daemon's config (--name); default
  // "<provider>-host", as the config refuses a built-in's own name.
  std::string name;
  // Protobuf text of the provider's options message (--options); may be
  // empty.
  std::string options;
  // Print the config block for the provider and exit (--print-config).
  bool print_config = false;
  // Print kUsage and exit (--help).
  bool help = false;
  // --runtime-dir and --workers.
  provider::RunnerOptions runner;
};

// The parsed arguments, or InvalidArgument saying which one is wrong.
absl::StatusOr<CommandLine> ParseCommandLine(int argc, const char* const* argv);

}  // namespace hypercall::provider_host

#endif  // HYPERCALL_CLIENTS_PROVIDER_HOST_COMMAND_LINE_H_
