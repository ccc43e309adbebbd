#include "smccc/call.h"

#include "smccc/function_id.h"

namespace hypercall::smccc {

void ApplyCallingConvention(uint32_t function_id, Call& call) {
  if (IsSmc64(function_id)) return;
  for (int i = 0; i < kNumRegisters; ++i) {
    call.x[i] = i < kNumSmc32Registers ? call.x[i] & 0xffffffffu : 0;
  }
  call.args_read_mask &= (RegisterMask{1} << kNumSmc32Registers) - 1;
}

void ApplyCallingConvention(uint32_t function_id, Result& result) {
  if (IsSmc64(function_id)) return;
  for (int i = 0; i < kNumRegisters; ++i) {
    if (i >= kNumSmc32Registers) {
      result.x[i] = 0;
      result.written_mask &= ~(RegisterMask{1} << i);
    } else {
      result.x[i] &= 0xffffffffu;
    }
  }
  result.written_mask |= 1;
}

}  // namespace hypercall::smccc
