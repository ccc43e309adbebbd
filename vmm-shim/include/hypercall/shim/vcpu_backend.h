// The vCPU as the shim sees it while a forwarded SMCCC call is pending: the
// function ID and conduit of the call, and access to x0..x17 by index. Two
// implementations: KvmArm64Vcpu (a real KVM vCPU, one ioctl per register) and
// SimulatedVcpu (tests, the demo, the benchmark). Every register access is
// counted here, the same way for both, so callers can see what a call cost.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_VCPU_BACKEND_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_VCPU_BACKEND_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "smccc/call.h"

namespace hypercall::shim {

// Register accesses since the backend was made. On KVM each is one ioctl.
struct RegisterAccessCounts {
  uint64_t reads = 0;
  uint64_t writes = 0;
};

// Not thread-safe: a backend belongs to its vCPU thread.
class VcpuBackend {
 public:
  virtual ~VcpuBackend() = default;

  // w0 of the pending call exactly as the guest issued it (SVE hint included).
  virtual uint32_t FunctionId() const = 0;
  // The instruction the guest used.
  virtual smccc::Conduit conduit() const = 0;

  // Reads x`index` (0..17). InvalidArgument for an index outside 0..17
  // (not counted, never reaches the vCPU); otherwise counts one read, failed
  // or not, and returns what the backend reports (for KVM: the ioctl's
  // errno, named).
  absl::StatusOr<uint64_t> ReadRegister(int index);
  // Writes x`index` (0..17); counted and checked as ReadRegister.
  absl::Status WriteRegister(int index, uint64_t value);

  RegisterAccessCounts access_counts() const { return counts_; }

 protected:
  // REQUIRES: 0 <= index <= 17.
  virtual absl::StatusOr<uint64_t> DoReadRegister(int index) = 0;
  virtual absl::Status DoWriteRegister(int index, uint64_t value) = 0;

 private:
  RegisterAccessCounts counts_;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_VCPU_BACKEND_H_
