#include "command_line.h"

#include <optional>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cmdline/parse.h"
#include "providers/provider_registry.h"
#include "wire/runtime_dir.h"

namespace hypercall::daemon {
namespace {

// "trng,probe" -> {"trng", "probe"}, each registered and named once.
absl::StatusOr<std::vector<std::string>> ParseProviderList(const std::string& list) {
  std::vector<std::string> names = absl::StrSplit(list, ',');
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) {
      return absl::InvalidArgumentError("--providers needs comma-separated names (got '" + list +
                                        "')");
    }
    for (size_t j = 0; j < i; ++j) {
      if (names[j] == names[i]) {
        return absl::InvalidArgumentError("--providers names '" + names[i] + "' twice");
      }
    }
  }
  if (absl::Status status = providers::CheckProviderNames(names); !status.ok()) {
    return absl::InvalidArgumentError("--providers: " + std::string(status.message()));
  }
  return names;
}

}  // namespace

std::string Usage() {
  return "Usage: hypercalld [--config FILE | --providers LIST] [--runtime-dir DIR]\n"
         "                  [--log-level LEVEL] [--socket-group ROLE=GROUP]...\n"
         "       hypercalld --check-config FILE\n"
         "\n"
         "Brokers SMCCC hypercalls between VMMs and providers over gRPC.\n"
         "\n"
         "  --config FILE       the config file (protobuf text format, see\n"
         "                      hypercalld.conf.example); read again on SIGHUP\n"
         "  --check-config FILE check FILE, print what is wrong and exit\n"
         "                      (0: it is fine, 1: it is not)\n"
         "  --runtime-dir DIR   where the sockets live (default " +
         std::string(wire::kDefaultRuntimeDir) +
         ");\n"
         "                      created (0755) when missing\n"
         "  --log-level LEVEL   debug, info (default), warning or error\n"
         "  --socket-group ROLE=GROUP\n"
         "                      the group of the vmm, provider or observer socket\n"
         "                      when the config names none (repeatable; default:\n"
         "                      the daemon's own group)\n"
         "  --providers LIST    built-in providers to load, comma-separated\n"
         "                      (known: " +
         absl::StrJoin(providers::RegisteredProviderNames(), ", ") + "; default " +
         absl::StrJoin(providers::DefaultProviderNames(), ",") +
         ")\n"
         "  --version           print the version and exit\n"
         "  --help              print this help and exit\n";
}

absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args) {
  CommandLine line;
  line.runtime_dir = std::string(wire::kDefaultRuntimeDir);
  std::string log_level;
  std::string providers;
  std::string config;
  std::string check_config;
  std::vector<std::string> socket_groups;
  CLI::App app;
  cmdline::Configure(app);
  CLI::Option* runtime_dir = app.add_option("--runtime-dir", line.runtime_dir);
  CLI::Option* level = app.add_option("--log-level", log_level);
  CLI::Option* provider_list = app.add_option("--providers", providers);
  CLI::Option* config_flag = app.add_option("--config", config);
  CLI::Option* check_config_flag = app.add_option("--check-config", check_config);
  app.add_option("--socket-group", socket_groups)->take_all()->expected(1);
  app.add_flag("--version", line.show_version);
  app.add_flag("--help,-h", line.show_help);
  if (absl::Status status = cmdline::Parse(app, args); !status.ok()) return status;

  if (*runtime_dir && line.runtime_dir.empty()) {
    return absl::InvalidArgumentError("--runtime-dir must not be empty");
  }
  if (*config_flag) {
    if (config.empty()) return absl::InvalidArgumentError("--config needs a file name");
    line.config_path = config;
  }
  if (*check_config_flag) {
    if (check_config.empty()) return absl::InvalidArgumentError("--check-config needs a file name");
    line.check_config_path = check_config;
  }
  if (*level) {
    std::optional<LogLevel> parsed = ParseLogLevel(log_level);
    if (!parsed.has_value()) {
      return absl::InvalidArgumentError("--log-level must be debug, info, warning or error (got '" +
                                        log_level + "')");
    }
    line.log_level = *parsed;
  }
  for (const std::string& role_and_group : socket_groups) {
    if (absl::Status status = AddSocketGroup(role_and_group, line.socket_groups); !status.ok()) {
      return status;
    }
  }
  if (*provider_list) {
    absl::StatusOr<std::vector<std::string>> names = ParseProviderList(providers);
    if (!names.ok()) return names.status();
    line.providers = std::move(*names);
  }
  if (line.config_path.has_value() && line.providers.has_value()) {
    return absl::InvalidArgumentError(
        "--providers and --config exclude each other: list the providers in the config file");
  }
  return line;
}

}  // namespace hypercall::daemon
