// Makes the probe provider available by name ("probe"); a diagnostic, so
// loaded only when --providers or the config names it.
#include "providers/probe/probe_provider.h"
#include "providers/provider_registry.h"

namespace hypercall::providers {

HYPERCALL_REGISTER_PROVIDER(probe, WithoutOptions(DefaultLoad::kOff, [] {
                              return std::make_unique<ProbeProvider>();
                            }));

}  // namespace hypercall::providers
