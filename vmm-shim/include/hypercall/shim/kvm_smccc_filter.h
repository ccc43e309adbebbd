// Installs a VM's forwarding plan in arm64 KVM's SMCCC filter (Linux >= 6.4):
// every planned range becomes FWD_TO_USER, so the guest's calls in it exit to
// the VMM as KVM_EXIT_HYPERCALL. The filter is write-once: install before any
// vCPU first runs.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_SMCCC_FILTER_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_SMCCC_FILTER_H_

#include <cstdint>

#include "absl/status/status.h"
#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/shim/kvm_ioctl.h"

namespace hypercall::shim {

class KvmSmcccFilter {
 public:
  // `vm_fd` stays the VMM's and must outlive this object.
  explicit KvmSmcccFilter(int vm_fd, KvmIoctl& ioctl = SystemKvmIoctl());

  // OK when the VM offers the SMCCC filter (KVM_HAS_DEVICE_ATTR). Otherwise
  // FailedPrecondition saying the kernel lacks it (arm64 Linux >= 6.4 needed),
  // or the ioctl's error.
  absl::Status Probe();

  // Forwards [first, first + count) to the VMM. Errors name the range and say
  // why: FailedPrecondition for EBUSY (a vCPU has already run), AlreadyExists
  // for EEXIST (overlaps an installed or a reserved range), InvalidArgument
  // for EINVAL, FailedPrecondition for a kernel without the filter.
  absl::Status Forward(uint32_t first, uint32_t count);

  // Probe(), then Forward() for each range of `plan`; stops at the first error.
  absl::Status Install(const ForwardingPlan& plan);

 private:
  int vm_fd_;
  KvmIoctl& ioctl_;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_SMCCC_FILTER_H_
