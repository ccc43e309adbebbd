// Call assembly: the call pending on a vCPU becomes an smccc::Call as the
// forwarding plan reads it (function ID, conduit, the planned argument
// registers, the guest buffers of its memory operands), and an answer goes
// back into the guest's buffers and registers, touching only what the plan
// and the result name. No transport: VcpuPort carries the call over a
// VcpuLink in between.
#ifndef HYPERCALL_VMM_SHIM_SRC_CALL_ASSEMBLY_H_
#define HYPERCALL_VMM_SHIM_SRC_CALL_ASSEMBLY_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hypercall/shim/call_outcome.h"
#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/vcpu_backend.h"
#include "smccc/call.h"

namespace hypercall::shim::internal {

class CallAssembly {
 public:
  // `plan` and `memory` (nullptr: a VM without memory operands) must outlive
  // it.
  CallAssembly(const ForwardingPlan& plan, GuestMemory* memory);

  // The call `fid` pending on `vcpu`: its conduit and the argument registers
  // ForwardingPlan::ArgsToRead names, read in order, with the SMC32/HVC32
  // convention applied. An error only when a register read fails; x0 then
  // already answers NOT_SUPPORTED (the guest must not read its own function
  // ID back as the result).
  absl::StatusOr<smccc::Call> ReadCall(uint32_t fid, VcpuBackend& vcpu) const;

  // Fills call.memory with the buffers of the operands of `range` that apply
  // to `call` (the provider-read bytes copied from guest RAM). False when one
  // lies outside guest RAM: `outcome` then holds the local answer
  // (kBadAddress) and the call must not be forwarded.
  bool GatherMemory(const PlannedRange& range, smccc::Call& call, CallOutcome& outcome) const;

  // Takes the daemon's `result` for `call` (of `range`): checks it against the
  // memory-operand rules and writes its buffers into guest RAM, then it is
  // outcome.result (kBrokered). False when it breaks the rules
  // (kMalformedResult, guest memory untouched) or a buffer cannot be written
  // (kBadAddress): `outcome` then holds that local answer.
  bool TakeResult(const PlannedRange& range, const smccc::Call& call, smccc::Result result,
                  CallOutcome& outcome) const;

  // Writes `result` to `vcpu` as the answer to `fid`: x0 always, and the
  // registers its written_mask names, with the SMC32/HVC32 convention
  // applied (a local answer needs it, and a daemon's is not trusted to have
  // it). `result` is left as the guest now sees it.
  static absl::Status WriteResult(uint32_t fid, smccc::Result& result, VcpuBackend& vcpu);

 private:
  const ForwardingPlan& plan_;
  GuestMemory* const memory_;
};

// NOT_SUPPORTED in x0 and nothing else: every local answer but a bad address.
smccc::Result NotSupported();

}  // namespace hypercall::shim::internal

#endif  // HYPERCALL_VMM_SHIM_SRC_CALL_ASSEMBLY_H_
