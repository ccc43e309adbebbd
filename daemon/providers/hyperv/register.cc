// Makes the Hyper-V provider available by name ("hyperv"); loaded only when
// --providers or the config names it (it takes CALL_UID from KVM's answer).
// Its options (`builtin { hyperv { ... } }`) set the version and feature
// registers.
#include "providers/hyperv/hyperv_options.h"
#include "providers/hyperv/hyperv_provider.h"
#include "providers/provider_registry.h"

namespace hypercall::providers::hyperv {
namespace {

absl::StatusOr<std::unique_ptr<provider::Provider>> MakeHyperv(const config::v1::Builtin& options) {
  if (options.options_case() != config::v1::Builtin::OPTIONS_NOT_SET && !options.has_hyperv()) {
    return absl::InvalidArgumentError(
        "built-in provider 'hyperv' takes only hyperv { ... } options");
  }
  return std::make_unique<HypervProvider>([] { return std::chrono::steady_clock::now(); },
                                          kDefaultMaxVms, IdentityFromOptions(options.hyperv()));
}

}  // namespace
}  // namespace hypercall::providers::hyperv

HYPERCALL_REGISTER_PROVIDER(hyperv, kOff, hypercall::providers::hyperv::MakeHyperv,
                            [] { return hypercall::providers::hyperv::HypervProvider().Claims(); });
