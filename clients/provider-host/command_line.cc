#include "command_line.h"

#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "cmdline/parse.h"

namespace hypercall::provider_host {

const char kUsage[] =
    "Usage: hypercall-provider-host --provider NAME [--name EXTERNAL_NAME] [--options TEXT]\n"
    "                               [--runtime-dir DIR] [--workers N] [--print-config]\n"
    "\n"
    "Serves hypercalld's built-in provider NAME (listed below) in this process, as\n"
    "external provider EXTERNAL_NAME (default \"NAME-host\") of the hypercalld whose\n"
    "provider.sock is in DIR (default /run/hypercalld), with N worker threads\n"
    "(default 4). TEXT is the provider's options in protobuf text, as the config's\n"
    "builtin { [options/NAME] { TEXT } } block holds them, e.g.\n"
    "  --provider kvm_discover --options 'implementation { midr: 0x410fd0c1 }'\n"
    "The daemon's config must list EXTERNAL_NAME as an external provider with ranges\n"
    "matching the provider's claims; --print-config prints that block (allowing this\n"
    "uid) and exits. Reconnects when the daemon restarts; exits 0 on SIGTERM/SIGINT,\n"
    "2 on bad arguments or options.\n";

absl::StatusOr<CommandLine> ParseCommandLine(int argc, const char* const* argv) {
  CommandLine line;
  std::string workers;
  CLI::App app;
  cmdline::Configure(app);
  app.add_option("--provider", line.provider);
  app.add_option("--name", line.name);
  // The options text may be empty: the provider's defaults.
  app.add_option("--options", line.options)->expected(0, 1);
  app.add_option("--runtime-dir", line.runner.runtime_dir);
  app.add_option("--workers", workers);
  app.add_flag("--print-config", line.print_config);
  app.add_flag("--help", line.help);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (absl::Status status = cmdline::Parse(app, args); !status.ok()) return status;
  if (line.help) return line;

  const std::pair<const char*, const std::string*> texts[] = {
      {"--provider", &line.provider},
      {"--name", &line.name},
      {"--runtime-dir", &line.runner.runtime_dir}};
  for (auto [flag, text] : texts) {
    if (app.count(flag) > 0 && text->empty()) {
      return absl::InvalidArgumentError(absl::StrFormat("%s needs a value", flag));
    }
  }
  if (app.count("--workers") > 0) {
    absl::StatusOr<uint64_t> n = cmdline::WholeNumber("--workers", workers, 1, 1024);
    if (!n.ok()) return n.status();
    line.runner.workers = static_cast<int>(*n);
  }
  if (line.provider.empty()) return absl::InvalidArgumentError("--provider NAME is required");
  if (line.name.empty()) line.name = line.provider + "-host";
  return line;
}

}  // namespace hypercall::provider_host
