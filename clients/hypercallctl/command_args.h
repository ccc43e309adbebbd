// Splits one command's arguments into its own options and its positional
// arguments ("call --smc --vm a TRNG_RND64 192" -> {--smc, --vm=a},
// [TRNG_RND64, 192]).
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_ARGS_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_ARGS_H_

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace hypercall::ctl {

// An option a command accepts.
struct OptionSpec {
  // "--vm".
  std::string_view name;
  // Whether it takes a value ("--vm NAME" or "--vm=NAME") or is a flag.
  bool takes_value = false;
};

struct CommandArgs {
  // Option name -> value ("" for flags); the last occurrence wins.
  std::map<std::string, std::string> options;
  // The rest, in order. Everything after "--" is positional. A token like
  // "-1" is positional too, so number parsing can explain what is wrong.
  std::vector<std::string> positionals;

  bool Has(const std::string& name) const { return options.contains(name); }
};

// InvalidArgument naming `command` and the option for an option not in
// `specs` or a missing value.
absl::StatusOr<CommandArgs> SplitCommandArgs(const std::string& command,
                                             const std::vector<std::string>& args,
                                             std::span<const OptionSpec> specs);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_COMMAND_ARGS_H_
