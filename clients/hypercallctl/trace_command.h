// `hypercallctl trace`: the live call trace, one line per call, until
// Ctrl-C, --count calls or --duration seconds.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_TRACE_COMMAND_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_TRACE_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hypercallctl/command.h"

namespace hypercall::ctl {

struct TraceRequest {
  // --vm: only calls of this VM; empty for all.
  std::string vm;
  // --count: stop after this many calls; 0 for no limit.
  uint64_t count = 0;
  // --duration: stop after this many seconds; 0 for no limit.
  uint64_t duration_seconds = 0;
};

// Adds --vm NAME, --count N and --duration SECONDS to `command`.
CommandCheck DefineTraceCommand(CLI::App& command);

// The request `trace ARGS...` makes, or the usage error the check gives.
absl::StatusOr<TraceRequest> ParseTraceArgs(const std::vector<std::string>& args);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_TRACE_COMMAND_H_
