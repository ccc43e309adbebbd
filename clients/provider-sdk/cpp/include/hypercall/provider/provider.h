// The provider interface of the SDK: the same shape as the daemon's built-in
// providers (daemon/providers/provider.h), so a provider's code moves between
// the daemon and its own process by changing the namespace it derives from.
// A Runner (runner.h) connects a Provider to hypercalld's provider socket.
//
// Contract (as in the daemon):
// - Claims() names the ranges the provider asks for, and per range the
//   argument registers it reads and the guest memory operands its calls pass
//   (smccc::CheckMemoryOperands holds: their registers are among those
//   read). The daemon's config decides what it may own, and grants a range
//   only with the operands the config lists for it, in the same order;
//   Handle() is only called for IDs in granted ranges.
// - Handle() is called concurrently from the runner's worker threads: it
//   must be thread-safe. It may block its worker (the call's deadline still
//   counts), but a provider with many slow calls should answer later from
//   its own threads instead.
// - Every call is answered exactly once through done.Complete(), inline or
//   later from any thread. Until then `call`, `context` and `done` stay
//   valid; after Complete() none of them may be touched.
// - `call.function_id` is as the guest issued it: tell functions apart by
//   smccc::RoutingId(call.function_id). For SMC32/HVC32 calls the arguments
//   already have w-register semantics, and the daemon applies them to the
//   result.
// - `call.memory` holds one buffer per operand of the range that applies to
//   the call (smccc::MemoryOperand::AppliesTo), in the range's order, each
//   naming its operand index: the guest's bytes for IN and INOUT operands,
//   nothing for OUT ones. The VMM copied them; the provider never sees guest
//   memory otherwise.
// - `result.memory` lists the bytes to write back into the guest: at most
//   one entry per OUT or INOUT buffer of the call (MemoryBuffer::operand and
//   data; the rest is filled in from the call), at most its length, from the
//   buffer's address on. A result breaking that (smccc::CheckResultMemory)
//   is not applied: the guest gets NOT_SUPPORTED and its memory is untouched.
// - An ID inside its range that the provider does not implement is answered
//   with x0 = NOT_SUPPORTED (-1), never left unanswered.
// - VmDetached() is called on the runner's reading thread when the daemon
//   says a VM planned with this provider detached: it must be quick. Best
//   effort (see there).
#ifndef HYPERCALL_PROVIDER_PROVIDER_H_
#define HYPERCALL_PROVIDER_PROVIDER_H_

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "smccc/call.h"
#include "smccc/function_id.h"
#include "smccc/memory_operand.h"
#include "smccc/range_claim.h"
#include "smccc/return_codes.h"

namespace hypercall::provider {

// A range a provider asks to own (the same type in the daemon and the SDK).
using RangeClaim = smccc::RangeClaim;

// Who is calling, and by when the answer must be there.
struct CallContext {
  // The attach name of the calling VM. Valid until Complete().
  std::string_view vm;
  // Index of the calling vCPU within its VM.
  uint32_t vcpu = 0;
  // Guest-physical address of this vCPU's PV stolen-time record in its VM's
  // plan, or 0 when the plan has none (for a PV time provider).
  uint64_t stolen_time_record = 0;
  // After this the guest has been answered NOT_SUPPORTED by the daemon and a
  // result is dropped (out of process only; the daemon's own providers have
  // no such field).
  std::chrono::steady_clock::time_point deadline;
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

  // The name the daemon's config knows this provider by ("oem-counter").
  virtual std::string_view name() const = 0;

  // The ranges this provider claims when it connects.
  virtual std::vector<RangeClaim> Claims() const = 0;

  // Answers `call` through `done` (see the contract above).
  virtual void Handle(const CallContext& context, const smccc::Call& call, Completion& done) = 0;

  // The VM named `vm` detached (its VMM's session ended), so what the
  // provider keeps for it may go: a VM attaching later under that name is a
  // new VM. Called once per session of a VM planned with this provider,
  // after its vCPU streams closed; a call of it still in flight must still
  // be answered. Called on the thread that reads the daemon's stream: after
  // each call the daemon sent before the notice was handed to a worker, and
  // before any it sent after (so state a new VM under the same name builds
  // up is not dropped), concurrently with Handle() on the workers. It must
  // be thread-safe, and quick, as no call is read meanwhile. Best effort: a
  // notice sent while no process served the provider, or dropped because
  // the daemon's send queue was full, never comes, so use it to free state,
  // never for correctness. Default: nothing kept per VM.
  virtual void VmDetached(std::string_view /*vm*/) {}
};

// For providers that answer every call on the spot: implement Answer().
class SyncProvider : public Provider {
 public:
  // The result of `call`; called concurrently, must be thread-safe.
  virtual smccc::Result Answer(const CallContext& context, const smccc::Call& call) = 0;

  void Handle(const CallContext& context, const smccc::Call& call, Completion& done) final {
    done.Complete(Answer(context, call));
  }
};

}  // namespace hypercall::provider

#endif  // HYPERCALL_PROVIDER_PROVIDER_H_
