#include "providers/pvtime/pvtime_provider.h"

#include "smccc/known_calls.h"
#include "smccc/return_codes.h"

namespace hypercall::providers {

std::vector<provider::RangeClaim> PvTimeProvider::Claims() const {
  constexpr smccc::RegisterMask kReadsX1 = 1u << 1;
  return {{{smccc::kPvTimeFeatures, smccc::kPvTimeSt}, kReadsX1, {}}};
}

void PvTimeProvider::Handle(const provider::CallContext& context, const smccc::Call& call,
                            provider::Completion& done) {
  // As KVM (arch/arm64/kvm/pvtime.c): without a record for this vCPU neither
  // function is there, so a guest asking FEATURES first never calls ST.
  const bool has_record = context.stolen_time_record != 0;
  smccc::Result result = smccc::Result::Code(smccc::kNotSupported);
  switch (smccc::RoutingId(call.function_id)) {
    case smccc::kPvTimeFeatures: {
      const uint32_t asked = smccc::RoutingId(static_cast<uint32_t>(call.x[1]));
      if (has_record && (asked == smccc::kPvTimeFeatures || asked == smccc::kPvTimeSt)) {
        result = smccc::Result::Code(smccc::kSuccess);
      }
      break;
    }
    case smccc::kPvTimeSt:
      if (has_record) result.x[0] = context.stolen_time_record;
      break;
    default:
      break;
  }
  done.Complete(result);
}

}  // namespace hypercall::providers
