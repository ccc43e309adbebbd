// Makes the kvm_discover provider available by name ("kvm_discover"). Off by
// default, and it needs options: the CPU implementations come from the
// config (`builtin { [options/kvm_discover] { implementation { midr: ... } }
// }`, kvm_discover_options.proto).
#include "providers/kvm_discover/kvm_discover_options.h"
#include "providers/kvm_discover/kvm_discover_provider.h"
#include "providers/provider_registry.h"

namespace hypercall::providers::kvm_discover {

HYPERCALL_REGISTER_PROVIDER(kvm_discover, WithOptions<KvmDiscoverOptions>(
                                              DefaultLoad::kOff, KvmDiscoverProvider::FromOptions,
                                              CheckOptions, KvmDiscoverProvider::DefaultClaims));

}  // namespace hypercall::providers::kvm_discover
