#include "hypercall/shim/kvm_stolen_time.h"

#include <cerrno>
#include <string>

#include "absl/strings/str_format.h"
#include "hypercall/shim/kvm_arm64_uapi.h"

namespace hypercall::shim {
namespace {

constexpr char kNoStolenTime[] =
    "this host kernel keeps no stolen time for guests (KVM_ARM_VCPU_PVTIME_CTRL needs "
    "CONFIG_SCHED_INFO, e.g. schedstats or task delay accounting); attach the VM without a "
    "stolen-time region";

// ENXIO: the attribute, or this kernel's stolen time, is not there (also
// what kernels without the group answer); ENOTTY/EOPNOTSUPP: no vCPU
// device attributes at all.
bool MeansNoStolenTime(int err) { return err == ENXIO || err == ENOTTY || err == EOPNOTSUPP; }

}  // namespace

KvmStolenTime::KvmStolenTime(int vcpu_fd, uint32_t vcpu_index, KvmIoctl& ioctl)
    : vcpu_fd_(vcpu_fd), vcpu_index_(vcpu_index), ioctl_(ioctl) {}

absl::Status KvmStolenTime::Probe() {
  kvm::DeviceAttr attr{0, kvm::kArmVcpuPvtimeCtrl, kvm::kArmVcpuPvtimeIpa, 0};
  const int r = ioctl_.Call(vcpu_fd_, kvm::kHasDeviceAttr, &attr);
  if (r == 0) return absl::OkStatus();
  if (MeansNoStolenTime(-r)) return absl::FailedPreconditionError(kNoStolenTime);
  return absl::ErrnoToStatus(
      -r, absl::StrFormat("KVM_HAS_DEVICE_ATTR(KVM_ARM_VCPU_PVTIME_IPA) of vCPU %u failed",
                          vcpu_index_));
}

absl::Status KvmStolenTime::Set(uint64_t ipa) {
  kvm::DeviceAttr attr{0, kvm::kArmVcpuPvtimeCtrl, kvm::kArmVcpuPvtimeIpa,
                       reinterpret_cast<uintptr_t>(&ipa)};
  const int r = ioctl_.Call(vcpu_fd_, kvm::kSetDeviceAttr, &attr);
  if (r == 0) return absl::OkStatus();
  const std::string what =
      absl::StrFormat("cannot put vCPU %u's stolen-time record at 0x%x", vcpu_index_, ipa);
  switch (-r) {
    case EINVAL:
      return absl::InvalidArgumentError(
          what +
          ": it is not 64-byte aligned, or no memslot backs it (EINVAL); give the stolen-time "
          "region a memslot (KVM_SET_USER_MEMORY_REGION) first");
    case EEXIST:
      return absl::AlreadyExistsError(
          what + ": this vCPU's record is already set (EEXIST); KVM takes it once per vCPU");
    default:
      if (MeansNoStolenTime(-r)) return absl::FailedPreconditionError(what + ": " + kNoStolenTime);
      return absl::ErrnoToStatus(-r, what + ": KVM_SET_DEVICE_ATTR failed");
  }
}

}  // namespace hypercall::shim
