// What the shim did with one forwarded call (CallOutcome) and running totals
// per vCPU (VcpuStats), for a VMM's logs and metrics and for tests.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_CALL_OUTCOME_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_CALL_OUTCOME_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "hypercall/shim/vcpu_backend.h"
#include "smccc/call.h"

namespace hypercall::shim {

// Who answered the call. Every disposition but kBrokered answers
// NOT_SUPPORTED (-1; 0xffffffff for SMC32/HVC32 IDs) in x0 and nothing else.
enum class Disposition {
  // The daemon answered (whatever x0 says).
  kBrokered,
  // The ID is outside the forwarding plan: answered locally, no round trip.
  kNotPlanned,
  // No session with the daemon, or the vCPU stream broke or was refused.
  kUnavailable,
  // The daemon did not answer within ShimOptions::call_deadline.
  kDeadlineExceeded,
};

// "brokered", "not-planned", "unavailable", "deadline-exceeded".
const char* DispositionName(Disposition d);

struct CallOutcome {
  // w0 as the guest issued it.
  uint32_t function_id = 0;
  Disposition disposition = Disposition::kBrokered;
  // What the guest now sees: x[i] for each bit i of written_mask.
  smccc::Result result;
  // Register accesses (KVM: ioctls) this call made.
  RegisterAccessCounts registers;
  // From the hand-over of the exit to the last register written.
  std::chrono::nanoseconds latency{0};
  // Why the call was not brokered (empty when it was).
  std::string detail;
};

// Totals for one vCPU since the shim connected.
struct VcpuStats {
  uint64_t calls = 0;
  uint64_t brokered = 0;
  uint64_t not_planned = 0;
  uint64_t unavailable = 0;
  uint64_t deadline_exceeded = 0;
  uint64_t register_reads = 0;
  uint64_t register_writes = 0;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_CALL_OUTCOME_H_
