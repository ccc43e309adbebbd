// Makes the Hyper-V provider available by name ("hyperv"); loaded only when
// --providers or the config names it (it takes CALL_UID from KVM's answer).
// Its options (`builtin { [options/hyperv] { ... } }`, hyperv_options.proto)
// set the version and feature registers.
#include "providers/hyperv/hyperv_options.h"
#include "providers/hyperv/hyperv_provider.h"
#include "providers/provider_registry.h"

namespace hypercall::providers::hyperv {
namespace {

absl::StatusOr<std::unique_ptr<provider::Provider>> MakeHyperv(const HypervOptions& options) {
  return std::make_unique<HypervProvider>([] { return std::chrono::steady_clock::now(); },
                                          kDefaultMaxVms, IdentityFromOptions(options));
}

}  // namespace

HYPERCALL_REGISTER_PROVIDER(hyperv,
                            WithOptions<HypervOptions>(DefaultLoad::kOff, MakeHyperv, CheckOptions,
                                                       [] { return HypervProvider().Claims(); }));

}  // namespace hypercall::providers::hyperv
