#include "hypercallctl/command_line.h"

#include <optional>

#include "absl/strings/str_format.h"
#include "hypercallctl/numbers.h"

namespace hypercall::ctl {
namespace {

// The longest --timeout accepted: an hour is already far past any sane wait.
constexpr uint64_t kMaxTimeoutSeconds = 3600;

// "--name=value" -> value; nullopt when `arg` is not `name` with "=".
std::optional<std::string> InlineValue(const std::string& arg, const std::string& name) {
  if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 &&
      arg[name.size()] == '=') {
    return arg.substr(name.size() + 1);
  }
  return std::nullopt;
}

// Reads the value of option `name` at argv[i] ("--name value" or
// "--name=value"), advancing i past it. nullopt when argv[i] is not `name`.
absl::StatusOr<std::optional<std::string>> OptionValue(const std::vector<std::string>& argv,
                                                       size_t& i, const std::string& name) {
  if (std::optional<std::string> inline_value = InlineValue(argv[i], name)) return inline_value;
  if (argv[i] != name) return std::optional<std::string>();
  if (i + 1 >= argv.size()) {
    return absl::InvalidArgumentError(absl::StrFormat("%s needs a value", name));
  }
  ++i;
  return std::optional<std::string>(argv[i]);
}

}  // namespace

absl::StatusOr<Invocation> ParseCommandLine(const std::vector<std::string>& argv) {
  Invocation invocation;
  bool options_ended = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (options_ended) {
      if (invocation.command.empty()) {
        invocation.command = arg;
      } else {
        invocation.args.push_back(arg);
      }
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      if (!invocation.command.empty()) invocation.args.push_back(arg);
      continue;
    }
    if (arg == "--json") {
      invocation.options.json = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      invocation.help = true;
      continue;
    }
    if (arg == "--version") {
      invocation.version = true;
      continue;
    }
    absl::StatusOr<std::optional<std::string>> runtime_dir = OptionValue(argv, i, "--runtime-dir");
    if (!runtime_dir.ok()) return runtime_dir.status();
    if (runtime_dir->has_value()) {
      if ((*runtime_dir)->empty()) return absl::InvalidArgumentError("--runtime-dir is empty");
      invocation.options.runtime_dir = **runtime_dir;
      continue;
    }
    absl::StatusOr<std::optional<std::string>> timeout = OptionValue(argv, i, "--timeout");
    if (!timeout.ok()) return timeout.status();
    if (timeout->has_value()) {
      absl::StatusOr<uint64_t> seconds =
          ParseNumberInRange(**timeout, "--timeout", 1, kMaxTimeoutSeconds);
      if (!seconds.ok()) return seconds.status();
      invocation.options.timeout_seconds = *seconds;
      continue;
    }
    if (invocation.command.empty()) {
      if (arg.size() > 1 && arg[0] == '-') {
        return absl::InvalidArgumentError(absl::StrFormat("unknown option '%s'", arg));
      }
      invocation.command = arg;
      continue;
    }
    invocation.args.push_back(arg);
  }
  if (invocation.command == "help") {
    invocation.help = true;
    invocation.command = invocation.args.empty() ? "" : invocation.args.front();
    invocation.args.clear();
  }
  return invocation;
}

}  // namespace hypercall::ctl
