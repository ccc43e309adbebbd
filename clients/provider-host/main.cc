// hypercall-provider-host: runs one of hypercalld's built-in providers (see
// builtin_provider_adapter.h) as an external provider process against
// hypercalld until SIGTERM or SIGINT, or prints the config block it needs.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "builtin_factory.h"
#include "builtin_provider_adapter.h"
#include "command_line.h"
#include "config_block.h"
#include "hypercall/provider/runner.h"

namespace {

using hypercall::provider_host::BuiltinProviderAdapter;
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
    absl::PrintF("%s", hypercall::provider_host::kUsage);
    return 0;
  }
  absl::StatusOr<std::unique_ptr<hypercall::providers::Provider>> builtin =
      hypercall::provider_host::MakeBuiltinProvider(line->provider, line->options);
  if (!builtin.ok()) return Refuse(builtin.status());
  BuiltinProviderAdapter provider(*std::move(builtin), line->name);
  if (line->print_config) {
    absl::PrintF("%s", hypercall::provider_host::ConfigBlock(
                           hypercall::provider_host::ExternalProviderConfig(
                               line->name, provider.Claims(), getuid())));
    return 0;
  }
  return hypercall::provider::RunUntilSignalled(provider, line->runner);
}
