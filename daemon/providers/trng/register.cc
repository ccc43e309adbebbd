// Makes the TRNG provider available by name ("trng").
#include "providers/provider_registry.h"
#include "providers/trng/trng_provider.h"

HYPERCALL_REGISTER_PROVIDER(trng,
                            [] { return std::make_unique<hypercall::providers::TrngProvider>(); });
