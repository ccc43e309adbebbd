#include "wire/convert.h"

#include "absl/strings/str_cat.h"

namespace hypercall::wire {

void ToProto(const smccc::Call& call, v1::Call& out) {
  out.set_function_id(call.function_id);
  out.set_conduit(call.conduit == smccc::Conduit::kSmc ? v1::CONDUIT_SMC : v1::CONDUIT_HVC);
  out.set_args_read_mask(call.args_read_mask);
  // Send up to the highest non-zero argument: trailing zeros are implied.
  int last = smccc::kMaxArgRegister;
  while (last >= 1 && call.x[last] == 0) --last;
  out.clear_args();
  for (int i = 1; i <= last; ++i) out.add_args(call.x[i]);
}

void ToProto(const smccc::Result& result, v1::Result& out) {
  int last = smccc::kNumRegisters - 1;
  while (last >= 1 && result.x[last] == 0) --last;
  out.clear_regs();
  for (int i = 0; i <= last; ++i) out.add_regs(result.x[i]);
  out.set_written_mask(result.written_mask | 1);
}

absl::StatusOr<smccc::Call> FromProto(const v1::Call& call) {
  if (call.args_size() > smccc::kMaxArgRegister) {
    return absl::InvalidArgumentError(
        absl::StrCat("call has ", call.args_size(), " argument registers; at most 17 (x1..x17)"));
  }
  if (call.conduit() != v1::CONDUIT_HVC && call.conduit() != v1::CONDUIT_SMC) {
    return absl::InvalidArgumentError("call conduit must be CONDUIT_HVC or CONDUIT_SMC");
  }
  smccc::Call out;
  out.function_id = call.function_id();
  out.conduit = call.conduit() == v1::CONDUIT_SMC ? smccc::Conduit::kSmc : smccc::Conduit::kHvc;
  out.args_read_mask = call.args_read_mask() & smccc::kAllArgRegisters;
  for (int i = 0; i < call.args_size(); ++i) out.x[i + 1] = call.args(i);
  return out;
}

absl::StatusOr<smccc::Result> FromProto(const v1::Result& result) {
  if (result.regs_size() > smccc::kNumRegisters) {
    return absl::InvalidArgumentError(
        absl::StrCat("result has ", result.regs_size(), " registers; at most 18 (x0..x17)"));
  }
  if ((result.written_mask() & ~smccc::kAllResultRegisters) != 0) {
    return absl::InvalidArgumentError("result written_mask names registers beyond x17");
  }
  smccc::Result out;
  for (int i = 0; i < result.regs_size(); ++i) out.x[i] = result.regs(i);
  out.written_mask = result.written_mask() | 1;
  return out;
}

}  // namespace hypercall::wire
