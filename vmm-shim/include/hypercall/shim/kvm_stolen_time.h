// Tells KVM where one vCPU's PV stolen-time record is (Arm DEN0057): vCPU
// attribute KVM_ARM_VCPU_PVTIME_CTRL / KVM_ARM_VCPU_PVTIME_IPA, after which
// KVM keeps the record's stolen-nanoseconds current on every entry. The
// address must be 64-byte aligned and backed by a memslot; KVM takes it once
// per vCPU.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_STOLEN_TIME_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_STOLEN_TIME_H_

#include <cstdint>

#include "absl/status/status.h"
#include "hypercall/shim/kvm_ioctl.h"

namespace hypercall::shim {

class KvmStolenTime {
 public:
  // `vcpu_fd` (vCPU number `vcpu_index`, for messages) stays the VMM's and
  // must outlive this object.
  KvmStolenTime(int vcpu_fd, uint32_t vcpu_index, KvmIoctl& ioctl = SystemKvmIoctl());

  // OK when KVM keeps stolen time for this vCPU (KVM_HAS_DEVICE_ATTR).
  // Otherwise FailedPrecondition saying the host kernel does not (it needs
  // CONFIG_SCHED_INFO), or the ioctl's error.
  absl::Status Probe();

  // Points the vCPU's record at guest-physical `ipa`. Errors say what to do:
  // FailedPrecondition for a kernel without stolen time (ENXIO),
  // InvalidArgument when `ipa` is not 64-byte aligned or no memslot backs it
  // (EINVAL), AlreadyExists when this vCPU's record is already set (EEXIST).
  absl::Status Set(uint64_t ipa);

 private:
  int vcpu_fd_;
  uint32_t vcpu_index_;
  KvmIoctl& ioctl_;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_STOLEN_TIME_H_
