#include "command_line.h"

#include <optional>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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
         "                  [--log-level LEVEL]\n"
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
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> value;
    if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
    }
    auto take_value = [&]() -> absl::StatusOr<std::string> {
      if (value.has_value()) return *value;
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(flag + " needs a value");
      return args[++i];
    };
    if (flag == "--runtime-dir") {
      absl::StatusOr<std::string> dir = take_value();
      if (!dir.ok()) return dir.status();
      if (dir->empty()) return absl::InvalidArgumentError("--runtime-dir must not be empty");
      line.runtime_dir = *dir;
    } else if (flag == "--log-level") {
      absl::StatusOr<std::string> name = take_value();
      if (!name.ok()) return name.status();
      std::optional<LogLevel> level = ParseLogLevel(*name);
      if (!level.has_value()) {
        return absl::InvalidArgumentError(
            "--log-level must be debug, info, warning or error (got '" + *name + "')");
      }
      line.log_level = *level;
    } else if (flag == "--providers") {
      absl::StatusOr<std::string> list = take_value();
      if (!list.ok()) return list.status();
      absl::StatusOr<std::vector<std::string>> names = ParseProviderList(*list);
      if (!names.ok()) return names.status();
      line.providers = std::move(*names);
    } else if (flag == "--config" || flag == "--check-config") {
      absl::StatusOr<std::string> path = take_value();
      if (!path.ok()) return path.status();
      if (path->empty()) return absl::InvalidArgumentError(flag + " needs a file name");
      (flag == "--config" ? line.config_path : line.check_config_path) = *path;
    } else if (flag == "--version" && !value.has_value()) {
      line.show_version = true;
    } else if ((flag == "--help" || flag == "-h") && !value.has_value()) {
      line.show_help = true;
    } else {
      return absl::InvalidArgumentError("unknown argument '" + args[i] + "'");
    }
  }
  if (line.config_path.has_value() && line.providers.has_value()) {
    return absl::InvalidArgumentError(
        "--providers and --config exclude each other: list the providers in the config file");
  }
  return line;
}

}  // namespace hypercall::daemon
