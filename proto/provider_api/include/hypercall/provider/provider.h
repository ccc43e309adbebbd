// The Provider interface: an extension that owns SMCCC function-ID ranges
// and answers the calls in them. One interface for every provider: the
// daemon's built-ins (daemon/providers/NAME/) and its RemoteProvider derive
// from it inside hypercalld, and a provider in its own process derives from
// it on the SDK, whose Runner (hypercall/provider/runner.h) connects it to
// hypercalld's provider socket. So a provider's code moves between the
// daemon and its own process unchanged (hypercall-provider-host runs any
// built-in that way).
//
// Contract:
// - Claims() names the ranges the provider asks for when no config says
//   otherwise, and per range the argument registers it reads and the guest
//   memory operands its calls pass (smccc::CheckMemoryOperands holds: their
//   registers are among those read). The daemon's config decides what it
//   actually owns, granting a range out of process only with the operands
//   the config lists for it, in the same order; Handle() is only called for
//   IDs in ranges it owns.
// - Where Handle() may block: it is called concurrently from many threads
//   and must be thread-safe. Inside the daemon those are vCPU threads: a
//   vCPU waits on the call, so Handle() must not block for long. In a
//   provider process they are the Runner's worker threads: Handle() may
//   block its worker (the deadline still counts), but a provider with many
//   slow calls should answer later from its own threads instead.
// - Ownership and exactly once: every call is answered exactly once through
//   done.Complete(), inline or later from any thread. Until then the caller
//   keeps `context`, `call` and `done` valid; after Complete() none of them
//   may be touched.
// - `call.function_id` is as the guest issued it, the SVE hint bit
//   included: tell functions apart by smccc::RoutingId(call.function_id).
//   For SMC32/HVC32 calls the arguments already have w-register semantics
//   (upper halves zero), and the daemon applies them to the result after
//   Complete().
// - `call.memory` holds one buffer per operand of the range that applies to
//   the call (smccc::MemoryOperand::AppliesTo), in the range's order, each
//   naming its operand index: the guest's bytes for IN and INOUT operands,
//   nothing for OUT ones. The VMM copied them; the provider never sees guest
//   memory otherwise.
// - `result.memory` lists the bytes to write back into the guest: at most
//   one entry per OUT or INOUT buffer of the call (MemoryBuffer::operand and
//   data; the rest is filled in from the call), at most its length, from the
//   buffer's address on. A result breaking that (smccc::CheckResultMemory)
//   is not applied: the guest gets NOT_SUPPORTED, its memory untouched, and
//   the daemon logs and counts it.
// - An ID inside its range that the provider does not implement is answered
//   with x0 = NOT_SUPPORTED (-1), never left unanswered. SMCCC return codes
//   are data in x0, not errors: Handle() cannot fail.
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

// A range a provider asks to own.
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
  // The daemon's call deadline (its config's limits.call_deadline_ms after
  // the call arrived). Out of process, after it the guest has been answered
  // NOT_SUPPORTED by the daemon and a result is dropped; inside the daemon
  // it says how long the vCPU is meant to wait at most.
  std::chrono::steady_clock::time_point deadline{};
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

  // Unique name ("trng", "oem-counter"), the one the daemon's config, logs
  // and traces know this provider by.
  virtual std::string_view name() const = 0;

  // The ranges this provider asks for (see the contract above).
  virtual std::vector<RangeClaim> Claims() const = 0;

  // Answers `call` through `done` (see the contract above).
  virtual void Handle(const CallContext& context, const smccc::Call& call, Completion& done) = 0;

  // The VM named `vm` detached (its VMM's session ended), so what the
  // provider keeps for it may go: a VM attaching later under that name is a
  // new VM. Called once per session of a VM planned with this provider,
  // after its vCPU streams closed; a call of it still in flight must still
  // be answered. Thread-safe, like Handle(), and quick. Inside the daemon it
  // is called as the session ends. Out of process it is called on the
  // thread that reads the daemon's stream: after each call the daemon sent
  // before the notice was handed to a worker, and before any it sent after
  // (so state a new VM under the same name builds up is not dropped),
  // concurrently with Handle() on the workers, and no call is read
  // meanwhile; and it is best effort: a notice sent while no process served
  // the provider, or dropped because the daemon's send queue was full, never
  // comes, so use it to free state, never for correctness. Default: nothing
  // kept per VM.
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
