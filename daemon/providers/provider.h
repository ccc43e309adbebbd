// The Provider interface: an extension that owns SMCCC function-ID ranges
// and answers the calls in them. Built-in providers live in the daemon (one
// folder each under daemon/providers/); a RemoteProvider speaking
// provider.proto implements the same interface for out-of-process ones.
//
// Contract:
// - Claims() names the ranges the provider asks for when no config says
//   otherwise, and per range the argument registers it reads and the guest
//   memory operands its calls pass (smccc::CheckMemoryOperands holds: their
//   registers are among those read). The router decides what it actually
//   owns; it is only called for IDs in its ranges.
// - Handle() is called concurrently from many vCPU threads: it must be
//   thread-safe and must not block for long (a vCPU waits on it).
// - Every call is answered exactly once through done.Complete(), inline or
//   later from any thread. Until then the caller keeps `call` and `done`
//   alive; after Complete() neither may be touched.
// - `call.function_id` is as the guest issued it: tell functions apart by
//   smccc::RoutingId(call.function_id). For SMC32/HVC32 calls the arguments
//   already have w-register semantics, and the result gets them applied
//   after Complete().
// - `call.memory` holds one buffer per operand of the range that applies to
//   the call (smccc::MemoryOperand::AppliesTo), in the range's order: the
//   guest's bytes for IN and INOUT operands, nothing for OUT ones. The
//   provider never sees guest memory otherwise.
// - `result.memory` lists the bytes to write back: at most one entry per OUT
//   or INOUT buffer of the call (by operand index), at most its length. A
//   result breaking that (smccc::CheckResultMemory) is not applied: the
//   guest gets NOT_SUPPORTED, and the daemon logs and counts it.
// - An ID inside its range that the provider does not implement is answered
//   with x0 = NOT_SUPPORTED (-1), never left unanswered.
// - SMCCC return codes are data in x0, not errors: Handle() cannot fail.
#ifndef HYPERCALL_DAEMON_PROVIDERS_PROVIDER_H_
#define HYPERCALL_DAEMON_PROVIDERS_PROVIDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "smccc/call.h"
#include "smccc/function_id.h"
#include "smccc/memory_operand.h"
#include "smccc/range_claim.h"

namespace hypercall::providers {

// A range a provider asks to own (the same type in the daemon and the SDK).
using RangeClaim = smccc::RangeClaim;

// Who is calling, for providers whose answer depends on the VM or vCPU.
struct CallContext {
  // The attach name of the calling VM. Valid until Complete().
  std::string_view vm;
  // Index of the calling vCPU within its VM.
  uint32_t vcpu = 0;
  // Guest-physical address of this vCPU's PV stolen-time record in its VM's
  // plan, or 0 when the plan has none (for the PV time provider).
  uint64_t stolen_time_record = 0;
};

// Receives the answer to one call.
class Completion {
 public:
  // Called exactly once per Handle().
  virtual void Complete(const smccc::Result& result) = 0;

 protected:
  ~Completion() = default;
};

class Provider {
 public:
  virtual ~Provider() = default;

  // Unique name ("trng"), used in logs, traces and config.
  virtual std::string_view name() const = 0;

  // The ranges this provider asks for by default (see the contract above).
  virtual std::vector<RangeClaim> Claims() const = 0;

  // Answers `call` through `done` (see the contract above).
  virtual void Handle(const CallContext& context, const smccc::Call& call, Completion& done) = 0;

  // The VM named `vm` detached (its VMM's session ended), so what the
  // provider keeps for it may go: a VM attaching later under that name is a
  // new VM. Called once per session, for each provider of its plan, after
  // its vCPU streams closed; a call of it still in flight must still be
  // answered. Thread-safe, like Handle(). Default: nothing kept per VM.
  virtual void VmDetached(std::string_view /*vm*/) {}
};

}  // namespace hypercall::providers

#endif  // HYPERCALL_DAEMON_PROVIDERS_PROVIDER_H_
