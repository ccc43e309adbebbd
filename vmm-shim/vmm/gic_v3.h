// The in-kernel GICv3 (KVM_DEV_TYPE_ARM_VGIC_V3) at the platform's
// distributor and redistributor addresses. Created before the vCPUs,
// initialised after all of them exist (KVM_DEV_ARM_VGIC_CTRL_INIT).
#ifndef HYPERCALL_VMM_SHIM_VMM_GIC_V3_H_
#define HYPERCALL_VMM_SHIM_VMM_GIC_V3_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "unique_fd.h"

namespace hypercall::vmm {

class GicV3 {
 public:
  // FailedPrecondition when the host cannot give the guest a GICv3 (it has
  // none of its own, or KVM runs without a vGIC).
  static absl::StatusOr<GicV3> Create(int vm_fd);

  // REQUIRES: every vCPU created.
  absl::Status Initialize();

 private:
  explicit GicV3(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_GIC_V3_H_
