// A function-ID range a provider asks to own, as built-in providers (the
// daemon's Provider interface) and provider processes (the SDK's) both
// declare it: the range, the argument registers its calls are read with,
// and the guest memory buffers they pass.
#ifndef HYPERCALL_PROTO_SMCCC_RANGE_CLAIM_H_
#define HYPERCALL_PROTO_SMCCC_RANGE_CLAIM_H_

#include <vector>

#include "smccc/call.h"
#include "smccc/function_id.h"
#include "smccc/memory_operand.h"

namespace hypercall::smccc {

struct RangeClaim {
  FunctionRange range;
  // Argument registers the provider reads (bit i = x(i), 1 <= i <= 17): the
  // VMM reads exactly these from the guest.
  RegisterMask args_read_mask = 0;
  // The buffers in guest RAM its calls pass by address, at most
  // kMaxMemoryOperandsPerRange; their registers are in args_read_mask.
  std::vector<MemoryOperand> memory;
};

}  // namespace hypercall::smccc

#endif  // HYPERCALL_PROTO_SMCCC_RANGE_CLAIM_H_
