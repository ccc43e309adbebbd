// The checks a parsed config file must pass before the daemon uses it: the
// rules the schema's comments state (proto/hypercall/config/v1/config.proto)
// that text format itself cannot express. Each problem carries the place in
// the file it is about, so an operator is told the line to fix.
#ifndef HYPERCALL_DAEMON_CONFIG_CONFIG_CHECK_H_
#define HYPERCALL_DAEMON_CONFIG_CONFIG_CHECK_H_

#include <vector>

#include "config/builtin_catalog.h"
#include "config/config_problem.h"
#include "google/protobuf/text_format.h"
#include "hypercall/config/v1/config.pb.h"

namespace hypercall::config {

// The schema version this daemon reads.
inline constexpr uint32_t kConfigVersion = 1;

// Every problem of `config`, in file order; empty when it may be used.
// `locations` is what the parser recorded (nullptr: no line numbers).
std::vector<ConfigProblem> CheckConfig(const v1::Config& config,
                                       const google::protobuf::TextFormat::ParseInfoTree* locations,
                                       const BuiltinCatalog& catalog);

}  // namespace hypercall::config

#endif  // HYPERCALL_DAEMON_CONFIG_CONFIG_CHECK_H_
