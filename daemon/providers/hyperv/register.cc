// Makes the Hyper-V provider available by name ("hyperv"); loaded only when
// --providers names it (it takes CALL_UID from KVM's answer).
#include "providers/hyperv/hyperv_provider.h"
#include "providers/provider_registry.h"

HYPERCALL_REGISTER_PROVIDER(hyperv, kOff, [] {
  return std::make_unique<hypercall::providers::hyperv::HypervProvider>();
});
