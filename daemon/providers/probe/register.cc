// Makes the probe provider available by name ("probe"); a diagnostic, so
// loaded only when --providers names it.
#include "providers/probe/probe_provider.h"
#include "providers/provider_registry.h"

HYPERCALL_REGISTER_PROVIDER(probe, kOff,
                            [] { return std::make_unique<hypercall::providers::ProbeProvider>(); });
