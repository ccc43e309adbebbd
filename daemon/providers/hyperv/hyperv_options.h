// The hyperv provider's options (hyperv_options.proto): the checks that each
// value fits the word it goes to, and the register values a guest reads,
// each field packed into the 32-bit word Linux arm64 reads it from
// (arch/arm64/hyperv/mshyperv.c), a field left out taking its default from
// hv_abi.h.
#ifndef HYPERCALL_DAEMON_PROVIDERS_HYPERV_HYPERV_OPTIONS_H_
#define HYPERCALL_DAEMON_PROVIDERS_HYPERV_HYPERV_OPTIONS_H_

#include <vector>

#include "config/config_place.h"
#include "config/config_problem.h"
#include "providers/hyperv/hv_abi.h"
#include "providers/hyperv/hyperv_options.pb.h"

namespace hypercall::providers::hyperv {

// Appends a problem, at the field's place under `place`, for each field too
// wide for its word (the version fields).
void CheckOptions(const HypervOptions& options, const config::Place& place,
                  std::vector<config::ConfigProblem>& problems);

// The registers from checked options: every field fits its word.
HvIdentityRegisters IdentityFromOptions(const HypervOptions& options);

}  // namespace hypercall::providers::hyperv

#endif  // HYPERCALL_DAEMON_PROVIDERS_HYPERV_HYPERV_OPTIONS_H_
