// The daemon config block that lets a host process serve a built-in provider
// as an external one: `provider { name: ... external { allow_uid: ... }
// range { ... } }` with one range per claim, in the claim's order, reading
// the claim's registers and listing its memory operands in order, so the
// daemon grants every claim exactly. Printed by --print-config.
#ifndef HYPERCALL_CLIENTS_PROVIDER_HOST_CONFIG_BLOCK_H_
#define HYPERCALL_CLIENTS_PROVIDER_HOST_CONFIG_BLOCK_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "hypercall/config/v1/config.pb.h"
#include "smccc/range_claim.h"

namespace hypercall::provider_host {

// The config's Provider for external provider `name`, served by `uid`,
// claiming `claims`. A claim reading no register gets a range without
// `reads`, which the config takes as all of x1..x17 (it has no way to say
// none); the provider still reads none of them.
config::v1::Provider ExternalProviderConfig(const std::string& name,
                                            const std::vector<smccc::RangeClaim>& claims,
                                            uid_t uid);

// `provider` as a config file block, "provider {\n ... }\n", with function
// IDs and memory conditions in hex.
std::string ConfigBlock(const config::v1::Provider& provider);

}  // namespace hypercall::provider_host

#endif  // HYPERCALL_CLIENTS_PROVIDER_HOST_CONFIG_BLOCK_H_
