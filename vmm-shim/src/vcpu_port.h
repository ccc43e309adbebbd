// One vCPU's end of the shim: answers the calls its VMM thread hands over,
// locally or over the vCPU's own link to the daemon, within the call
// deadline, and keeps the vCPU's totals. What a call reads and writes in the
// guest is CallAssembly's; how it reaches the daemon is the Transport's.
#ifndef HYPERCALL_VMM_SHIM_SRC_VCPU_PORT_H_
#define HYPERCALL_VMM_SHIM_SRC_VCPU_PORT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "call_assembly.h"
#include "deadline.h"
#include "hypercall/shim/call_outcome.h"
#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/options.h"
#include "hypercall/shim/vcpu_backend.h"
#include "logger.h"
#include "smccc/call.h"
#include "transport.h"

namespace hypercall::shim::internal {

class VcpuPort {
 public:
  // `transport` and `memory` (nullptr: a VM without memory operands) must
  // outlive the port.
  VcpuPort(uint32_t index, Transport& transport, GuestMemory* memory, const ShimOptions& options);

  // See Shim::HandleHypercall. One thread at a time.
  absl::StatusOr<CallOutcome> Handle(VcpuBackend& vcpu);

  // Thread-safe snapshot.
  VcpuStats stats() const;

  // Ends the vCPU's link, politely until `grace`. REQUIRES: no Handle running.
  void Close(Deadline grace);

 private:
  // Sends `call` (of `range`) and puts the daemon's answer, or why there is
  // none, into `outcome`.
  void Forward(const PlannedRange& range, const smccc::Call& call, Deadline deadline,
               CallOutcome& outcome);
  void Count(const CallOutcome& outcome);

  const uint32_t index_;
  Transport& transport_;
  const CallAssembly assembly_;
  const Logger log_;
  const std::unique_ptr<VcpuLink> link_;
  // Whether a malformed result was logged yet (later ones are only counted).
  bool malformed_result_logged_ = false;

  struct AtomicStats {
    std::atomic<uint64_t> calls{0};
    std::atomic<uint64_t> brokered{0};
    std::atomic<uint64_t> not_planned{0};
    std::atomic<uint64_t> unavailable{0};
    std::atomic<uint64_t> deadline_exceeded{0};
    std::atomic<uint64_t> bad_address{0};
    std::atomic<uint64_t> malformed_result{0};
    std::atomic<uint64_t> register_reads{0};
    std::atomic<uint64_t> register_writes{0};
  } stats_;
};

}  // namespace hypercall::shim::internal

#endif  // HYPERCALL_VMM_SHIM_SRC_VCPU_PORT_H_
