// libhypercall-shim: what a VMM links to hand the SMCCC calls KVM forwards to
// hypercalld. The VMM connects (attaching its VM), installs plan() in KVM
// (KvmSmcccFilter) before the first KVM_RUN, and then, on each
// KVM_EXIT_HYPERCALL, calls HandleHypercall from that vCPU's thread. The
// shim reads only the argument registers the plan names, sends the call on
// this vCPU's own stream, and writes only the registers the result writes.
//
// The guest is never stuck: when the daemon is gone or slower than
// ShimOptions::call_deadline, the call answers NOT_SUPPORTED; a background
// thread re-attaches when the daemon is back, and calls are brokered again.
// The plan stays the one installed at connect (KVM's filter is write-once).
//
// Calls in ranges with memory operands also pass buffers in guest RAM: the
// shim reads IN bytes through the VM's GuestMemory into the call and writes
// the result's bytes back before the registers; a buffer outside guest RAM
// is answered locally (Disposition::kBadAddress) and never forwarded.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_SHIM_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_SHIM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hypercall/shim/call_outcome.h"
#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/shim/guest_memory.h"
#include "hypercall/shim/options.h"
#include "hypercall/shim/vcpu_backend.h"

namespace hypercall::shim {

namespace internal {
class Transport;
class VcpuPort;
}  // namespace internal

class Shim {
 public:
  // Attaches `vm` to the daemon under options.runtime_dir, waiting up to
  // options.attach_timeout for it. Errors: Unavailable / DeadlineExceeded
  // when no daemon answers (the message names the socket), the daemon's own
  // refusal (InvalidArgument naming a VmInfo field, AlreadyExists for a name
  // in use, FailedPrecondition for a protocol version), InvalidArgument for
  // a malformed plan.
  //
  // `memory` is the VM's RAM (normally a MappedGuestMemory over the same
  // regions as vm.ram); it must outlive the Shim. nullptr: a VM without
  // memory operands, where every call passing a buffer answers that
  // operand's bad-address x0.
  static absl::StatusOr<std::unique_ptr<Shim>> Connect(const VmDescription& vm,
                                                       const ShimOptions& options,
                                                       GuestMemory* memory = nullptr);

  // Closes every stream and the session. REQUIRES: no HandleHypercall running.
  ~Shim();
  Shim(const Shim&) = delete;
  Shim& operator=(const Shim&) = delete;

  // The plan from the first attach: install it in KVM before any vCPU runs.
  const ForwardingPlan& plan() const;

  // Answers the call pending on `vcpu` (vCPU number `vcpu_index`): reads its
  // function ID, conduit and planned argument registers (and the buffers of
  // its memory operands), and writes the result. Returns what it did. An error only when the
  // backend's register access fails (for KVM: an ioctl), or InvalidArgument for a vcpu_index
  // outside the VM; daemon trouble is never an error (see Disposition).
  // Thread-safe for distinct vcpu_index values; one call at a time per index.
  absl::StatusOr<CallOutcome> HandleHypercall(uint32_t vcpu_index, VcpuBackend& vcpu);

  // Totals of vCPU `vcpu_index` (zero for an index outside the VM).
  // Thread-safe.
  VcpuStats vcpu_stats(uint32_t vcpu_index) const;
  uint32_t vcpu_count() const { return static_cast<uint32_t>(ports_.size()); }

  // True while attached to a daemon. Thread-safe.
  bool connected() const;
  // Successful attaches so far: 1 after Connect, +1 per re-attach.
  uint64_t attach_count() const;

 private:
  Shim(std::unique_ptr<internal::Transport> transport, uint32_t vcpus, GuestMemory* memory,
       const ShimOptions& options);

  std::unique_ptr<internal::Transport> transport_;
  std::vector<std::unique_ptr<internal::VcpuPort>> ports_;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_SHIM_H_
