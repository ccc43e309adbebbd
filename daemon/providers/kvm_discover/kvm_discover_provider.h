// The kvm_discover provider: KVM's vendor hypercalls that tell a guest the
// CPU implementations it may run on, which KVM leaves to the VMM
// (Documentation/virt/kvm/arm/hypercalls.rst; Linux's guest side is
// kvm_arm_target_impl_cpu_init in drivers/firmware/smccc/kvm_guest.c). A
// guest that may migrate between hosts of different CPUs learns all of them
// and enables the errata workarounds of each. Off by default, and only
// loaded with options (the implementations) from the config.
//
// It owns two function IDs (fast, SMC64, KVM vendor service):
//   0xC6000040 DISCOVER_IMPL_VER: reads nothing; x0 = SUCCESS, x1 = version
//     (major 31:16, minor 15:0), x2 = the number of implementations, x3 = 0.
//   0xC6000041 DISCOVER_IMPL_CPUS: reads x1, the implementation's index
//     (all 64 bits); x0 = SUCCESS, x1 = its MIDR_EL1, x2 = REVIDR_EL1, x3 =
//     AIDR_EL1. An index past the last: x0 = INVALID_PARAMETER (-3) only.
//     x2 and x3 are reserved (must be zero) but not checked: Linux's first
//     version of the guest side passed whatever they held (fixed later to
//     pass 0), so refusing them would refuse those guests.
// A guest finds these through KVM_FEATURES bits 64/65, which KVM reports from
// the VM's VENDOR_HYP_BMAP_2 firmware register (the VMM sets it when the
// plan forwards these IDs). Stateless after construction: thread-safe.
#ifndef HYPERCALL_DAEMON_PROVIDERS_KVM_DISCOVER_KVM_DISCOVER_PROVIDER_H_
#define HYPERCALL_DAEMON_PROVIDERS_KVM_DISCOVER_KVM_DISCOVER_PROVIDER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "hypercall/provider/provider.h"
#include "providers/kvm_discover/kvm_discover_options.pb.h"

namespace hypercall::providers::kvm_discover {

inline constexpr uint32_t kDiscoverImplVer = 0xc6000040u;
inline constexpr uint32_t kDiscoverImplCpus = 0xc6000041u;
// DISCOVER_IMPL_VER's version when the config sets none: 1.0.
inline constexpr uint32_t kDiscoverImplVersion1_0 = 0x10000;

// One CPU implementation a VM may run on.
struct Implementation {
  uint64_t midr = 0;
  uint64_t revidr = 0;
  uint64_t aidr = 0;
  bool operator==(const Implementation&) const = default;
};

class KvmDiscoverProvider final : public provider::Provider {
 public:
  KvmDiscoverProvider(uint32_t version, std::vector<Implementation> implementations);

  // From its options (checked by CheckOptions); without implementations,
  // InvalidArgument saying what to write (as --providers kvm_discover, which
  // has no config, gets).
  static absl::StatusOr<std::unique_ptr<provider::Provider>> FromOptions(
      const KvmDiscoverOptions& options);

  // The claims, the same whatever the options.
  static std::vector<provider::RangeClaim> DefaultClaims();

  std::string_view name() const override { return "kvm_discover"; }
  std::vector<provider::RangeClaim> Claims() const override { return DefaultClaims(); }
  void Handle(const provider::CallContext& context, const smccc::Call& call,
              provider::Completion& done) override;

 private:
  const uint32_t version_;
  const std::vector<Implementation> implementations_;
};

}  // namespace hypercall::providers::kvm_discover

#endif  // HYPERCALL_DAEMON_PROVIDERS_KVM_DISCOVER_KVM_DISCOVER_PROVIDER_H_
