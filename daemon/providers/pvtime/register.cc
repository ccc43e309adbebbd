// Makes the PV time provider available by name ("pvtime"). Off by default:
// serving PV time also switches KVM's own PV time off for the VMs planned with
// it, which a VMM that sets up KVM's stolen time itself would not expect.
#include "providers/provider_registry.h"
#include "providers/pvtime/pvtime_provider.h"

namespace hypercall::providers {

HYPERCALL_REGISTER_PROVIDER(pvtime, WithoutOptions(DefaultLoad::kOff, [] {
                              return std::make_unique<PvTimeProvider>();
                            }));

}  // namespace hypercall::providers
