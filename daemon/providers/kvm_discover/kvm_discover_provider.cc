#include "providers/kvm_discover/kvm_discover_provider.h"

#include <utility>

#include "providers/kvm_discover/kvm_discover_options.h"
#include "smccc/return_codes.h"

namespace hypercall::providers::kvm_discover {
namespace {

constexpr smccc::RegisterMask kReadsX1 = smccc::RegisterMask{1} << 1;

}  // namespace

KvmDiscoverProvider::KvmDiscoverProvider(uint32_t version,
                                         std::vector<Implementation> implementations)
    : version_(version), implementations_(std::move(implementations)) {}

absl::StatusOr<std::unique_ptr<provider::Provider>> KvmDiscoverProvider::FromOptions(
    const KvmDiscoverOptions& discover) {
  if (discover.implementation().empty()) return absl::InvalidArgumentError(kNeedsImplementations);
  std::vector<Implementation> implementations;
  for (const CpuImplementation& cpu : discover.implementation()) {
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
      const Implementation& cpu = implementations_[call.x[1]];
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

}  // namespace hypercall::providers::kvm_discover
