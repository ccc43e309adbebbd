// hypercall-provider-host: runs one of hypercalld's built-in providers as an
// external provider process against hypercalld until SIGTERM or SIGINT, or
// prints the config block it needs. Built-ins and the SDK share one Provider
// interface, so the built-in is served as it is: its claims, its answers and
// its VmDetached unchanged, only under the external name (--name), as the
// config refuses an external provider named like a built-in.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "builtin_factory.h"
#include "command_line.h"
#include "config_block.h"
#include "hypercall/provider/runner.h"
#include "providers/provider_registry.h"

namespace {

using hypercall::provider_host::CommandLine;

// Bad arguments or options.
constexpr int kUsageError = 2;

int Refuse(const absl::Status& status) {
  absl::FPrintF(stderr, "hypercall-provider-host: %s\n", status.message());
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  const absl::StatusOr<CommandLine> line = hypercall::provider_host::ParseCommandLine(argc, argv);
  if (!line.ok()) {
    absl::FPrintF(stderr, "hypercall-provider-host: %s\n\n%s", line.status().message(),
                  hypercall::provider_host::kUsage);
    return kUsageError;
  }
  if (line->help) {
    absl::PrintF("%s\nBuilt-in providers: %s\n", hypercall::provider_host::kUsage,
                 absl::StrJoin(hypercall::providers::RegisteredProviderNames(), ", "));
    return 0;
  }
  absl::StatusOr<std::unique_ptr<hypercall::provider::Provider>> builtin =
      hypercall::provider_host::MakeBuiltinProvider(line->provider, line->options);
  if (!builtin.ok()) return Refuse(builtin.status());
  if (line->print_config) {
    absl::PrintF("%s", hypercall::provider_host::ConfigBlock(
                           hypercall::provider_host::ExternalProviderConfig(
                               line->name, (*builtin)->Claims(), getuid())));
    return 0;
  }
  hypercall::provider::RunnerOptions runner = line->runner;
  runner.name = line->name;
  return hypercall::provider::RunUntilSignalled(**builtin, std::move(runner));
}
