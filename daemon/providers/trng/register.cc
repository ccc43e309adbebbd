// Makes the TRNG provider available by name ("trng"), loaded by default.
#include "providers/provider_registry.h"
#include "providers/trng/trng_provider.h"

namespace hypercall::providers {

HYPERCALL_REGISTER_PROVIDER(trng, WithoutOptions(DefaultLoad::kOn,
                                                 [] { return std::make_unique<TrngProvider>(); }));

}  // namespace hypercall::providers
