// Makes the kvm_discover provider available by name ("kvm_discover"). Off by
// default, and it needs options: the CPU implementations come from the
// config (`builtin { kvm_discover { implementation { midr: ... } } }`).
#include "providers/kvm_discover/kvm_discover_provider.h"
#include "providers/provider_registry.h"

HYPERCALL_REGISTER_PROVIDER(kvm_discover, kOff,
                            hypercall::providers::KvmDiscoverProvider::FromOptions,
                            hypercall::providers::KvmDiscoverProvider::DefaultClaims);
