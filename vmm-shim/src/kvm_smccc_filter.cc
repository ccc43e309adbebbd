#include "hypercall/shim/kvm_smccc_filter.h"

#include <cerrno>
#include <string>

#include "absl/strings/str_format.h"
#include "hypercall/shim/kvm_arm64_uapi.h"

namespace hypercall::shim {
namespace {

constexpr char kNoFilter[] =
    "this kernel has no KVM SMCCC filter (KVM_ARM_VM_SMCCC_FILTER needs arm64 Linux 6.4 or later)";

kvm::DeviceAttr FilterAttr(const kvm::SmcccFilter* filter) {
  return kvm::DeviceAttr{0, kvm::kArmVmSmcccCtrl, kvm::kArmVmSmcccFilter,
                         reinterpret_cast<uintptr_t>(filter)};
}

// ENXIO/ENODEV/ENOTTY/EOPNOTSUPP: the attribute, or device attributes on VMs
// at all, are unknown to this kernel.
bool MeansNoFilter(int err) {
  return err == ENXIO || err == ENODEV || err == ENOTTY || err == EOPNOTSUPP;
}

}  // namespace

KvmSmcccFilter::KvmSmcccFilter(int vm_fd, KvmIoctl& ioctl) : vm_fd_(vm_fd), ioctl_(ioctl) {}

absl::Status KvmSmcccFilter::Probe() {
  kvm::DeviceAttr attr = FilterAttr(nullptr);
  int r = ioctl_.Call(vm_fd_, kvm::kHasDeviceAttr, &attr);
  if (r == 0) return absl::OkStatus();
  if (MeansNoFilter(-r)) return absl::FailedPreconditionError(kNoFilter);
  return absl::ErrnoToStatus(-r, "KVM_HAS_DEVICE_ATTR(KVM_ARM_VM_SMCCC_FILTER) failed");
}

absl::Status KvmSmcccFilter::Forward(uint32_t first, uint32_t count) {
  kvm::SmcccFilter filter{};
  filter.base = first;
  filter.nr_functions = count;
  filter.action = kvm::kSmcccFilterFwdToUser;
  kvm::DeviceAttr attr = FilterAttr(&filter);
  const int r = ioctl_.Call(vm_fd_, kvm::kSetDeviceAttr, &attr);
  if (r == 0) return absl::OkStatus();
  const std::string range = absl::StrFormat("cannot forward SMCCC range 0x%08x..0x%08x", first,
                                            uint64_t{first} + count - 1);
  switch (-r) {
    case EBUSY:
      return absl::FailedPreconditionError(
          range +
          ": a vCPU of this VM has already run (EBUSY); the filter must be installed "
          "before the first KVM_RUN");
    case EEXIST:
      return absl::AlreadyExistsError(
          range +
          ": it overlaps a range already in the filter or a reserved Arm range "
          "0x80000000-0x8000ffff / 0xc0000000-0xc000ffff (EEXIST)");
    case EINVAL:
      return absl::InvalidArgumentError(
          range + ": the kernel refused it as invalid (EINVAL: empty or wrapping range)");
    default:
      if (MeansNoFilter(-r)) return absl::FailedPreconditionError(range + ": " + kNoFilter);
      return absl::ErrnoToStatus(-r, range + ": KVM_SET_DEVICE_ATTR failed");
  }
}

absl::Status KvmSmcccFilter::Install(const ForwardingPlan& plan) {
  if (absl::Status s = Probe(); !s.ok()) return s;
  for (const PlannedRange& r : plan.ranges()) {
    if (absl::Status s = Forward(r.first, r.count); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace hypercall::shim
