// The PV time provider (Arm DEN0057): tells the guest where each vCPU's
// stolen-time record is. PV_TIME_FEATURES says which functions exist and
// PV_TIME_ST answers the calling vCPU's record address from its VM's plan
// (CallContext::stolen_time_record); KVM itself keeps the record current,
// because the VMM handed it the same address (KVM_ARM_VCPU_PVTIME_IPA). A VM
// planned without records is told PV time is not supported, as KVM does.
// Stateless, so Handle() is thread-safe.
#ifndef HYPERCALL_DAEMON_PROVIDERS_PVTIME_PVTIME_PROVIDER_H_
#define HYPERCALL_DAEMON_PROVIDERS_PVTIME_PVTIME_PROVIDER_H_

#include "hypercall/provider/provider.h"

namespace hypercall::providers {

class PvTimeProvider final : public provider::Provider {
 public:
  std::string_view name() const override { return "pvtime"; }

  // PV_TIME_FEATURES and PV_TIME_ST (0xC5000020-0xC5000021), reading x1.
  std::vector<provider::RangeClaim> Claims() const override;

  void Handle(const provider::CallContext& context, const smccc::Call& call,
              provider::Completion& done) override;
};

}  // namespace hypercall::providers

#endif  // HYPERCALL_DAEMON_PROVIDERS_PVTIME_PVTIME_PROVIDER_H_
