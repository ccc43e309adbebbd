#include "hypercallctl/command_args.h"

#include <cctype>

#include "absl/strings/str_format.h"

namespace hypercall::ctl {
namespace {

bool LooksLikeOption(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-' && !std::isdigit(static_cast<unsigned char>(arg[1]));
}

}  // namespace

absl::StatusOr<CommandArgs> SplitCommandArgs(const std::string& command,
                                             const std::vector<std::string>& args,
                                             std::span<const OptionSpec> specs) {
  CommandArgs out;
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || !LooksLikeOption(arg)) {
      out.positionals.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    const size_t equals = arg.find('=');
    const std::string name = arg.substr(0, equals);
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& candidate : specs) {
      if (candidate.name == name) spec = &candidate;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: unknown option '%s' (see hypercallctl %s --help)", command, name, command));
    }
    if (!spec->takes_value) {
      if (equals != std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s: option %s takes no value", command, name));
      }
      out.options[name] = "";
      continue;
    }
    if (equals != std::string::npos) {
      out.options[name] = arg.substr(equals + 1);
      continue;
    }
    if (i + 1 >= args.size()) {
      return absl::InvalidArgumentError(absl::StrFormat("%s: %s needs a value", command, name));
    }
    out.options[name] = args[++i];
  }
  return out;
}

}  // namespace hypercall::ctl
