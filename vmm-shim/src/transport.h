// How the shim reaches hypercalld: the VM's attach, which yields the plan and
// is kept alive (re-attached) by the transport itself, and one link per vCPU
// that carries that vCPU's calls. VcpuPort sees only these interfaces, so call
// handling knows nothing of the wire. Session (gRPC over vmm.sock) is the one
// implementation today; a shared-memory data path would be a second.
#ifndef HYPERCALL_VMM_SHIM_SRC_TRANSPORT_H_
#define HYPERCALL_VMM_SHIM_SRC_TRANSPORT_H_

#include <chrono>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "deadline.h"
#include "hypercall/shim/forwarding_plan.h"
#include "smccc/call.h"

namespace hypercall::shim::internal {

// One vCPU's path to the daemon: one call in flight, from that vCPU's thread.
class VcpuLink {
 public:
  virtual ~VcpuLink() = default;

  // The daemon's answer to `call`, or why there is none by `deadline`:
  // DeadlineExceeded when it was too slow, another error (Unavailable) when
  // it could not be reached or broke the protocol. The transport reacts to
  // the latter itself (re-attaching as needed); the caller only answers the
  // guest.
  virtual absl::StatusOr<smccc::Result> RoundTrip(const smccc::Call& call, Deadline deadline) = 0;

  // Ends the link, politely until `grace`. REQUIRES: no RoundTrip running.
  virtual void Close(Deadline grace) = 0;
};

// The VM's attachment to the daemon. Thread-safe.
class Transport {
 public:
  virtual ~Transport() = default;

  // The plan of the first attach, for the VM's life.
  virtual const ForwardingPlan& plan() const = 0;
  // True while attached. Cheap and lock-free: read on every call.
  virtual bool attached() const = 0;
  // How long a call may wait for the daemon's answer under the live attach
  // (CallWait). Cheap and lock-free.
  virtual std::chrono::milliseconds call_deadline() const = 0;
  // True when the daemon of the live attach refused the part of the plan
  // `fid` is in (a re-attach it can serve only partly): such a call is
  // answered locally. Cheap and lock-free.
  virtual bool Refused(uint32_t fid) const = 0;
  // Successful attaches so far: 1 after the first, +1 per re-attach.
  virtual uint64_t attach_count() const = 0;
  // The link for vCPU `index`. The transport must outlive it.
  virtual std::unique_ptr<VcpuLink> OpenVcpu(uint32_t index) = 0;
};

}  // namespace hypercall::shim::internal

#endif  // HYPERCALL_VMM_SHIM_SRC_TRANSPORT_H_
