#include "providers/kvm_discover/kvm_discover_provider.h"

#include <utility>

#include "smccc/return_codes.h"

namespace hypercall::providers {
namespace {

constexpr smccc::RegisterMask kReadsX1 = smccc::RegisterMask{1} << 1;

constexpr char kNeedsOptions[] =
    "built-in provider 'kvm_discover' needs the CPU implementations a VM may run on, from the "
    "config: provider { name: \"kvm_discover\" builtin { kvm_discover { implementation { midr: "
    "0x410fd0c1 } } } }";

}  // namespace

KvmDiscoverProvider::KvmDiscoverProvider(uint32_t version,
                                         std::vector<CpuImplementation> implementations)
    : version_(version), implementations_(std::move(implementations)) {}

absl::StatusOr<std::unique_ptr<provider::Provider>> KvmDiscoverProvider::FromOptions(
    const config::v1::Builtin& options) {
  if (!options.has_kvm_discover() || options.kvm_discover().implementation().empty()) {
    return absl::InvalidArgumentError(kNeedsOptions);
  }
  const config::v1::KvmDiscoverOptions& discover = options.kvm_discover();
  std::vector<CpuImplementation> implementations;
  for (const config::v1::CpuImplementation& cpu : discover.implementation()) {
    implementations.push_back({.midr = cpu.midr(), .revidr = cpu.revidr(), .aidr = cpu.aidr()});
  }
  return std::make_unique<KvmDiscoverProvider>(
      discover.has_version() ? discover.version() : kDiscoverImplVersion1_0,
      std::move(implementations));
}

std::vector<provider::RangeClaim> KvmDiscoverProvider::DefaultClaims() {
  return {{{kDiscoverImplVer, kDiscoverImplVer}, 0, {}},
          {{kDiscoverImplCpus, kDiscoverImplCpus}, kReadsX1, {}}};
}

void KvmDiscoverProvider::Handle(const provider::CallContext&, const smccc::Call& call,
                                 provider::Completion& done) {
  smccc::Result result;
  switch (smccc::RoutingId(call.function_id)) {
    case kDiscoverImplVer:
      result.x[0] = smccc::kSuccess;
      result.Set(1, version_);
      result.Set(2, implementations_.size());
      result.Set(3, 0);
      break;
    case kDiscoverImplCpus: {
      if (call.x[1] >= implementations_.size()) {
        result = smccc::Result::Code(smccc::kInvalidParameter);
        break;
      }
      const CpuImplementation& cpu = implementations_[call.x[1]];
      result.x[0] = smccc::kSuccess;
      result.Set(1, cpu.midr);
      result.Set(2, cpu.revidr);
      result.Set(3, cpu.aidr);
      break;
    }
    default:
      result = smccc::Result::Code(smccc::kNotSupported);
      break;
  }
  done.Complete(result);
}

}  // namespace hypercall::providers
