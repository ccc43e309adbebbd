// Serves one of the daemon's built-in providers (daemon/providers/) through
// the SDK's provider interface, so a Runner can run it in its own process:
// the claims pass through unchanged, each call is handed to the built-in with
// the caller's VM, vCPU and stolen-time record, its answer is forwarded to
// the SDK's completion whenever the built-in gives it, and the daemon's
// notice that a VM detached reaches the built-in's VmDetached. Only the name
// differs: the config refuses an external provider named like a built-in.
#ifndef HYPERCALL_CLIENTS_PROVIDER_HOST_BUILTIN_PROVIDER_ADAPTER_H_
#define HYPERCALL_CLIENTS_PROVIDER_HOST_BUILTIN_PROVIDER_ADAPTER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hypercall/provider/provider.h"
#include "providers/provider.h"

namespace hypercall::provider_host {

class BuiltinProviderAdapter final : public provider::Provider {
 public:
  // Serves `builtin` as external provider `name`.
  BuiltinProviderAdapter(std::unique_ptr<providers::Provider> builtin, std::string name);

  std::string_view name() const override { return name_; }
  std::vector<provider::RangeClaim> Claims() const override { return builtin_->Claims(); }
  void Handle(const provider::CallContext& context, const smccc::Call& call,
              provider::Completion& done) override;
  void VmDetached(std::string_view vm) override { builtin_->VmDetached(vm); }

 private:
  const std::unique_ptr<providers::Provider> builtin_;
  const std::string name_;
};

}  // namespace hypercall::provider_host

#endif  // HYPERCALL_CLIENTS_PROVIDER_HOST_BUILTIN_PROVIDER_ADAPTER_H_
