#include "command_line.h"

#include <cstdlib>

#include "absl/strings/str_format.h"

namespace hypercall::provider_host {

const char kUsage[] =
    "Usage: hypercall-provider-host --provider NAME [--name EXTERNAL_NAME] [--options TEXT]\n"
    "                               [--runtime-dir DIR] [--workers N] [--print-config]\n"
    "\n"
    "Serves hypercalld's built-in provider NAME (trng, probe, hyperv, pvtime,\n"
    "kvm_discover, ...) in this process, as external provider EXTERNAL_NAME (default\n"
    "\"NAME-host\") of the hypercalld whose provider.sock is in DIR (default\n"
    "/run/hypercalld), with N worker threads (default 4). TEXT is the provider's\n"
    "options as the config's builtin block holds them (protobuf text of\n"
    "hypercall.config.v1.Builtin), e.g.\n"
    "  --options 'kvm_discover { implementation { midr: 0x410fd0c1 } }'\n"
    "The daemon's config must list EXTERNAL_NAME as an external provider with ranges\n"
    "matching the provider's claims; --print-config prints that block (allowing this\n"
    "uid) and exits. Reconnects when the daemon restarts; exits 0 on SIGTERM/SIGINT,\n"
    "2 on bad arguments or options.\n";

namespace {

absl::Status Bad(const std::string& message) { return absl::InvalidArgumentError(message); }

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(int argc, const char* const* argv) {
  CommandLine line;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help") {
      line.help = true;
      return line;
    }
    if (flag == "--print-config") {
      line.print_config = true;
      continue;
    }
    std::string* text = flag == "--provider"      ? &line.provider
                        : flag == "--name"        ? &line.name
                        : flag == "--options"     ? &line.options
                        : flag == "--runtime-dir" ? &line.runner.runtime_dir
                                                  : nullptr;
    if (text == nullptr && flag != "--workers") {
      return Bad(absl::StrFormat("unknown argument \"%s\"", flag));
    }
    if (i + 1 >= argc || (flag != "--options" && argv[i + 1][0] == '\0')) {
      return Bad(absl::StrFormat("%s needs a value", flag));
    }
    const std::string value = argv[++i];
    if (text != nullptr) {
      *text = value;
      continue;
    }
    char* end = nullptr;
    const long workers = std::strtol(value.c_str(), &end, 10);
    if (*end != '\0' || workers < 1 || workers > 1024) {
      return Bad(absl::StrFormat("--workers %s: give a number from 1 to 1024", value));
    }
    line.runner.workers = static_cast<int>(workers);
  }
  if (line.provider.empty()) return Bad("--provider NAME is required");
  if (line.name.empty()) line.name = line.provider + "-host";
  return line;
}

}  // namespace hypercall::provider_host
