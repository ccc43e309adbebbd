// What the shim did with one forwarded call (CallOutcome) and running totals
// per vCPU (VcpuStats), for a VMM's logs and metrics and for tests.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_CALL_OUTCOME_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_CALL_OUTCOME_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "hypercall/shim/vcpu_backend.h"
#include "smccc/call.h"

namespace hypercall::shim {

// Who answered the call. Every disposition but kBrokered and kBadAddress
// answers NOT_SUPPORTED (-1; 0xffffffff for SMC32/HVC32 IDs) in x0 and
// nothing else. Values are stable (the C API exposes them).
enum class Disposition {
  // The daemon answered (whatever x0 says).
  kBrokered,
  // The ID is outside the forwarding plan: answered locally, no round trip.
  kNotPlanned,
  // No session with the daemon, the vCPU stream broke or was refused, or
  // the daemon refused the call's part of the plan at a re-attach (it can
  // no longer serve it as KVM's filter holds it): answered locally.
  kUnavailable,
  // The daemon did not answer within ShimOptions::call_deadline (or, when
  // longer, a little more than the daemon's own call deadline).
  kDeadlineExceeded,
  // A memory operand of the call lies outside guest RAM (not wholly inside
  // one region, wrapping past 2^64, or the VM gave the shim no GuestMemory):
  // answered locally with that operand's bad-address x0 (default SMCCC
  // INVALID_PARAMETER, -3), nothing forwarded, guest memory untouched. The
  // same answer when the call was brokered but writing a result buffer back
  // failed (a GuestMemory whose layout changed; see there).
  kBadAddress,
  // The daemon's result broke the memory-operand rules
  // (smccc::CheckResultMemory): NOT_SUPPORTED, guest memory untouched.
  kMalformedResult,
};
inline constexpr size_t kNumDispositions = static_cast<size_t>(Disposition::kMalformedResult) + 1;

// "brokered", "not-planned", "unavailable", "deadline-exceeded",
// "bad-address", "malformed-result".
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
  // Why the call was not brokered (empty when it was): for kBadAddress the
  // operand and its address, for kMalformedResult the broken rule.
  std::string detail;
};

// Totals for one vCPU since the shim connected.
struct VcpuStats {
  uint64_t calls = 0;
  uint64_t brokered = 0;
  uint64_t not_planned = 0;
  uint64_t unavailable = 0;
  uint64_t deadline_exceeded = 0;
  uint64_t bad_address = 0;
  uint64_t malformed_result = 0;
  uint64_t register_reads = 0;
  uint64_t register_writes = 0;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_CALL_OUTCOME_H_
