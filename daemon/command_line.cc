#include "command_line.h"

#include <optional>

#include "wire/runtime_dir.h"

namespace hypercall::daemon {

std::string Usage() {
  return "Usage: hypercalld [--runtime-dir DIR] [--log-level LEVEL]\n"
         "\n"
         "Brokers SMCCC hypercalls between VMMs and providers over gRPC.\n"
         "\n"
         "  --runtime-dir DIR   where the sockets live (default " +
         std::string(wire::kDefaultRuntimeDir) +
         ");\n"
         "                      created (0755) when missing\n"
         "  --log-level LEVEL   debug, info (default), warning or error\n"
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
    } else if (flag == "--version" && !value.has_value()) {
      line.show_version = true;
    } else if ((flag == "--help" || flag == "-h") && !value.has_value()) {
      line.show_help = true;
    } else {
      return absl::InvalidArgumentError("unknown argument '" + args[i] + "'");
    }
  }
  return line;
}

}  // namespace hypercall::daemon
