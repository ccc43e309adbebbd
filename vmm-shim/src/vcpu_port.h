// One vCPU's end of the shim: answers the calls its VMM thread hands over,
// on the vCPU's own stream to the daemon (opened lazily, reopened after a
// break or a re-attach), within the call deadline, touching only the
// registers the plan and the result name and only the guest buffers the
// call's memory operands name.
#ifndef HYPERCALL_VMM_SHIM_SRC_VCPU_PORT_H_
#define HYPERCALL_VMM_SHIM_SRC_VCPU_PORT_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "async_stream.h"
#include "hypercall/shim/call_outcome.h"
#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/vcpu_backend.h"
#include "hypercall/v1/vmm.pb.h"
#include "session.h"
#include "smccc/call.h"

namespace hypercall::shim::internal {

using VcpuStream = AsyncStream<v1::VcpuRequest, v1::VcpuReply>;

class VcpuPort {
 public:
  // `session` and `memory` (nullptr: a VM without memory operands) must
  // outlive the port.
  VcpuPort(uint32_t index, Session& session, GuestMemory* memory);

  // See Shim::HandleHypercall. One thread at a time.
  absl::StatusOr<CallOutcome> Handle(VcpuBackend& vcpu);

  // Thread-safe snapshot.
  VcpuStats stats() const;

  // Ends the vCPU stream, politely until `grace`. REQUIRES: no Handle running.
  void Close(Deadline grace);

 private:
  // The daemon's answer to `call`, or why there is none by `deadline`.
  absl::StatusOr<smccc::Result> RoundTrip(uint64_t generation, const smccc::Call& call,
                                          Deadline deadline);
  // Opens the vCPU stream for the attach `generation`.
  absl::Status Open(uint64_t generation, Deadline deadline);
  // Sends `call` (of `range`) and puts the daemon's answer, or why there is
  // none, into `outcome`.
  void Forward(uint64_t generation, const PlannedRange& range, const smccc::Call& call,
               Deadline deadline, CallOutcome& outcome);
  // Fills call.memory for the operands of `range` that apply to `call`.
  // False when one lies outside guest RAM: `outcome` then holds the answer.
  bool GatherMemory(const PlannedRange& range, smccc::Call& call, CallOutcome& outcome);
  // Checks `result` against `call` and writes its buffers into guest RAM;
  // false (and `outcome` holds the answer) when it breaks the rules or a
  // buffer cannot be written.
  bool ApplyResultMemory(const PlannedRange& range, const smccc::Call& call, smccc::Result& result,
                         CallOutcome& outcome);
  void Count(const CallOutcome& outcome);

  const uint32_t index_;
  Session& session_;
  GuestMemory* const memory_;
  // Whether a malformed result was logged yet (later ones are only counted).
  bool malformed_result_logged_ = false;
  std::unique_ptr<VcpuStream> stream_;
  // The attach generation stream_ was opened for.
  uint64_t stream_generation_ = 0;
  uint64_t next_call_id_ = 1;
  // Reused for every call: no allocation per call once warm.
  v1::VcpuRequest request_;
  v1::VcpuReply reply_;

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
