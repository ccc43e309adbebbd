// A function-ID range a provider asks to own, as built-in providers (the
// daemon's Provider interface) and provider processes (the SDK's) both
// declare it: the range, the argument registers its calls are read with,
// the guest memory buffers they pass, and whether their results are secret
// from observers. And the rules a claim keeps, in
// function_range.h's message style.
#ifndef HYPERCALL_PROTO_SMCCC_RANGE_CLAIM_H_
#define HYPERCALL_PROTO_SMCCC_RANGE_CLAIM_H_

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "smccc/call.h"
#include "smccc/function_range.h"
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
  // The results of its calls are secret: their registers past x0 are never
  // shown to an observer (x0, the status, is). For results such as random
  // numbers (TRNG) or keys that a trace must not carry.
  bool secret_results = false;
};

// InvalidArgument when `claim` breaks a rule of its own: its range fails
// CheckRange; its args_read_mask names registers outside x1..x17 ("range R:
// args_read_mask 0x1 names registers outside x1..x17"); its memory operands
// fail CheckMemoryOperands against that mask ("range R: <why>").
absl::Status CheckClaim(const RangeClaim& claim);

// PermissionDenied unless `claim` is part of one of `allowed`, which
// `owner` may claim: its range inside that claim's range (else "range R is
// outside what <owner> may claim (A, B)", or "range R spans more than one
// range <owner> may claim (A, B): claim each on its own"), reading no register it does not
// ("range R reads x3, but <owner> may read only x1-x2 in range A"), passing
// exactly its memory operands, in order ("range R passes memory none, but
// <owner> passes x1 -> 64 bytes in in range A: claim exactly those, in that
// order"), and keeping its results secret only where that claim does
// ("range R keeps its results secret, but <owner> is planned to show them in
// range A: mark that range secret_results"). A claim showing results that
// `allowed` keeps secret is fine: they stay secret.
absl::Status CheckClaimWithin(const RangeClaim& claim, const std::vector<RangeClaim>& allowed,
                              std::string_view owner);

}  // namespace hypercall::smccc

#endif  // HYPERCALL_PROTO_SMCCC_RANGE_CLAIM_H_
