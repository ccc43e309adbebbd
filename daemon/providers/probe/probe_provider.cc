#include "providers/probe/probe_provider.h"

#include "smccc/return_codes.h"

namespace hypercall::providers {
namespace {

constexpr smccc::RegisterMask kReadsX1 = 1u << 1;
// x1..x7: every argument an SMC32 call has.
constexpr smccc::RegisterMask kSmc32Args = ((1u << smccc::kNumSmc32Registers) - 1) & ~1u;

smccc::Result EchoAll(const smccc::Call& call) {
  smccc::Result result;
  for (int i = 1; i <= smccc::kMaxArgRegister; ++i) {
    result.Set(i, call.x[i] + static_cast<uint64_t>(i) * kProbeEchoStep);
  }
  return result;
}

smccc::Result WriteSome(const smccc::Call& call) {
  smccc::Result result;
  for (int i = 1; i <= smccc::kMaxArgRegister; ++i) {
    if ((call.x[1] >> i) & 1) result.Set(i, ~static_cast<uint64_t>(i));
  }
  return result;
}

smccc::Result Who(const CallContext& context, const smccc::Call& call) {
  smccc::Result result;
  result.Set(1, context.vcpu);
  result.Set(2, call.x[1] + 1);
  return result;
}

}  // namespace

std::vector<RangeClaim> ProbeProvider::Claims() const {
  const smccc::FunctionRange& r32 = kProbeSmc32Range;
  const smccc::FunctionRange& r64 = kProbeSmc64Range;
  return {{{r32.first, r32.first}, kSmc32Args},
          {{r32.first + 1, r32.last}, kReadsX1},
          {{r64.first, r64.first}, smccc::kAllArgRegisters},
          {{r64.first + 1, r64.last}, kReadsX1}};
}

void ProbeProvider::Handle(const CallContext& context, const smccc::Call& call, Completion& done) {
  switch (smccc::FunctionNumber(smccc::RoutingId(call.function_id))) {
    case kProbeEchoAll:
      done.Complete(EchoAll(call));
      return;
    case kProbeWriteSome:
      done.Complete(WriteSome(call));
      return;
    case kProbeWho:
      done.Complete(Who(context, call));
      return;
    default:
      done.Complete(smccc::Result::Code(smccc::kNotSupported));
      return;
  }
}

}  // namespace hypercall::providers
