// Installs a VM's whole forwarding plan in arm64 KVM in one call: the SMCCC
// filter (VM fd), the firmware feature bitmaps (through vCPU 0) and each
// vCPU's stolen-time record. Call it once every vCPU is created and
// KVM_ARM_VCPU_INIT-ed (the bitmaps are reached through an initialised vCPU)
// and the stolen-time region has its memslot, before the first KVM_RUN (the
// filter and the bitmaps are fixed from then on).
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_INSTALL_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_INSTALL_H_

#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/shim/kvm_ioctl.h"

namespace hypercall::shim {

struct KvmInstallReport {
  // What KVM could not be told, one line each for the VMM's log (a firmware
  // bitmap register this kernel lacks, and which services guests therefore
  // cannot discover). Empty when everything was installed.
  std::vector<std::string> notes;
};

// `vcpu_fds[i]` is vCPU i's fd: all of the VM's vCPUs when the plan has
// stolen-time records (one each), at least vCPU 0's otherwise. Probes first
// (the filter; stolen time when there are records), then sets the bitmaps,
// forwards the planned ranges, and sets the records, stopping at the first
// error (see KvmSmcccFilter, KvmFirmwareBitmaps, KvmStolenTime for them);
// InvalidArgument for the wrong number of vCPU fds.
absl::StatusOr<KvmInstallReport> InstallPlanInKvm(const ForwardingPlan& plan, int vm_fd,
                                                  std::span<const int> vcpu_fds,
                                                  KvmIoctl& ioctl = SystemKvmIoctl());

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_INSTALL_H_
