// Makes the TRNG provider available by name ("trng"), loaded by default.
#include "providers/provider_registry.h"
#include "providers/trng/trng_provider.h"

HYPERCALL_REGISTER_PROVIDER(trng, kOn,
                            [] { return std::make_unique<hypercall::providers::TrngProvider>(); });
