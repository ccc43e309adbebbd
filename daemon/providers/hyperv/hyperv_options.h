// The hyperv provider's config block (config.proto HypervOptions) as the
// register values a guest reads: each field packed into the 32-bit word
// Linux arm64 reads it from (arch/arm64/hyperv/mshyperv.c), a field left out
// taking its default from hv_abi.h. The config checks have passed, so every
// field fits its word.
#ifndef HYPERCALL_DAEMON_PROVIDERS_HYPERV_HYPERV_OPTIONS_H_
#define HYPERCALL_DAEMON_PROVIDERS_HYPERV_HYPERV_OPTIONS_H_

#include "hypercall/config/v1/config.pb.h"
#include "providers/hyperv/hv_abi.h"

namespace hypercall::providers::hyperv {

HvIdentityRegisters IdentityFromOptions(const config::v1::HypervOptions& options);

}  // namespace hypercall::providers::hyperv

#endif  // HYPERCALL_DAEMON_PROVIDERS_HYPERV_HYPERV_OPTIONS_H_
