// What the config checks know of the built-in providers: for each name, the
// ranges it claims by default, whether it loads when the config lists none,
// the type of its options block and the checks of that block. The providers'
// registry fills it (each provider folder registers its own entry), so
// nothing in config/ names a provider.
#ifndef HYPERCALL_DAEMON_CONFIG_BUILTIN_CATALOG_H_
#define HYPERCALL_DAEMON_CONFIG_BUILTIN_CATALOG_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/config_place.h"
#include "config/config_problem.h"
#include "google/protobuf/message.h"
#include "smccc/function_range.h"

namespace hypercall::config {

// The problems of a provider's options (a message of its options type) whose
// block is at `place`; empty when they may be used.
using OptionsCheck = std::function<std::vector<ConfigProblem>(
    const google::protobuf::Message& options, const Place& place)>;

struct BuiltinDescription {
  // The ranges it claims whatever its options, in order of first ID.
  std::vector<smccc::FunctionRange> default_claims;
  // Loaded when the config lists no providers.
  bool default_on = false;
  // The default instance of its options message; nullptr when it takes none.
  const google::protobuf::Message* options_prototype = nullptr;
  // Checks its options; given the default instance when the config has no
  // block, so a provider that needs options says so here. May be empty.
  OptionsCheck check_options;
};

// The built-in providers by registered name.
using BuiltinCatalog = std::map<std::string, BuiltinDescription>;

}  // namespace hypercall::config

#endif  // HYPERCALL_DAEMON_CONFIG_BUILTIN_CATALOG_H_
