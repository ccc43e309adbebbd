#include "hypercall/shim/kvm_install.h"

#include "absl/strings/str_format.h"
#include "hypercall/shim/kvm_firmware_bitmaps.h"
#include "hypercall/shim/kvm_smccc_filter.h"
#include "hypercall/shim/kvm_stolen_time.h"

namespace hypercall::shim {

absl::StatusOr<KvmInstallReport> InstallPlanInKvm(const ForwardingPlan& plan, int vm_fd,
                                                  std::span<const int> vcpu_fds, KvmIoctl& ioctl) {
  const std::vector<uint64_t>& records = plan.stolen_time_records();
  if (vcpu_fds.empty()) {
    return absl::InvalidArgumentError(
        "no vCPU fds: the firmware bitmaps are set through vCPU 0, so create and "
        "KVM_ARM_VCPU_INIT the vCPUs first");
  }
  if (!records.empty() && vcpu_fds.size() != records.size()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%u vCPU fds for a plan with stolen-time records for %u vCPUs: pass every vCPU's fd, "
        "in vCPU order",
        vcpu_fds.size(), records.size()));
  }
  // Probe what can be missing before changing anything: the filter and the
  // records are write-once.
  KvmSmcccFilter filter(vm_fd, ioctl);
  if (absl::Status s = filter.Probe(); !s.ok()) return s;
  if (!records.empty()) {
    if (absl::Status s = KvmStolenTime(vcpu_fds[0], 0, ioctl).Probe(); !s.ok()) return s;
  }

  KvmInstallReport report;
  absl::StatusOr<std::vector<std::string>> notes =
      KvmFirmwareBitmaps(vcpu_fds[0], ioctl).Install(plan);
  if (!notes.ok()) return notes.status();
  report.notes = *std::move(notes);
  for (const PlannedRange& r : plan.ranges()) {
    if (absl::Status s = filter.Forward(r.first, r.count); !s.ok()) return s;
  }
  for (size_t i = 0; i < records.size(); ++i) {
    KvmStolenTime stolen_time(vcpu_fds[i], static_cast<uint32_t>(i), ioctl);
    if (absl::Status s = stolen_time.Set(records[i]); !s.ok()) return s;
  }
  return report;
}

}  // namespace hypercall::shim
