// The checks of a built-in provider's options block (config.proto Builtin):
// that the block is the one for the provider named, that a provider needing
// options has them, and that each value fits where the provider puts it.
// Kept here, with the schema, so an operator learns the line to fix before
// any provider is made.
#ifndef HYPERCALL_DAEMON_CONFIG_BUILTIN_OPTIONS_CHECK_H_
#define HYPERCALL_DAEMON_CONFIG_BUILTIN_OPTIONS_CHECK_H_

#include <string>
#include <vector>

#include "config/config_check.h"
#include "config/config_place.h"
#include "hypercall/config/v1/config.pb.h"

namespace hypercall::config {

// The problems of `builtin`, the block of built-in provider `name` found at
// `place` (the `builtin` field); empty when it may be used.
std::vector<ConfigProblem> CheckBuiltinOptions(const std::string& name, const v1::Builtin& builtin,
                                               const Place& place);

}  // namespace hypercall::config

#endif  // HYPERCALL_DAEMON_CONFIG_BUILTIN_OPTIONS_CHECK_H_
