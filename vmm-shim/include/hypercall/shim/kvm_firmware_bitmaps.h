// Keeps KVM's firmware feature bitmaps (the KVM_REG_ARM_FW_FEAT_BMAP_REG
// pseudo-registers) true to a VM's forwarding plan, so what KVM tells the
// guest it offers matches what hypercalld answers. A forwarded call reaches
// the daemon whatever its bit says (the SMCCC filter wins), but some answers
// come from KVM alone: SMCCC_ARCH_FEATURES(PV_TIME_FEATURES) from
// STD_HYP_BMAP, KVM_FEATURES from VENDOR_HYP_BMAP(_2). The registers are
// VM-wide, reached through any initialised vCPU, and fixed once a vCPU ran.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_FIRMWARE_BITMAPS_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_FIRMWARE_BITMAPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "hypercall/shim/forwarding_plan.h"
#include "hypercall/shim/kvm_ioctl.h"

namespace hypercall::shim {

// What the plan wants of one bitmap register; its other bits stay as KVM has them.
struct FirmwareBitmapEdit {
  uint64_t reg_id = 0;
  // "VENDOR_HYP_BMAP_2", for messages.
  std::string name;
  uint64_t set = 0;
  uint64_t clear = 0;
  // The services the `set` bits offer ("DISCOVER_IMPL_VER, DISCOVER_IMPL_CPUS")
  // and the call through which KVM tells the guest of them ("KVM_FEATURES"),
  // for the note when this kernel lacks the register.
  std::string offered;
  std::string announced_by;

  uint64_t Apply(uint64_t value) const { return (value | set) & ~clear; }
  bool operator==(const FirmwareBitmapEdit&) const = default;
};

// The edits `plan` needs, in register order; registers it leaves alone are absent:
//   STD_BMAP bit 0 (TRNG): set iff the plan forwards TRNG_VERSION;
//   STD_HYP_BMAP bit 0 (PV time): set iff it forwards PV_TIME_FEATURES and has
//     stolen-time records;
//   VENDOR_HYP_BMAP bit 0 (KVM_FEATURES, CALL_UID): cleared iff it forwards
//     CALL_UID (the guest is told another hypervisor's identity); else untouched;
//   VENDOR_HYP_BMAP_2 bits 0/1: set iff it forwards DISCOVER_IMPL_VER / _CPUS.
std::vector<FirmwareBitmapEdit> FirmwareBitmapEdits(const ForwardingPlan& plan);

class KvmFirmwareBitmaps {
 public:
  // `vcpu_fd`: any vCPU of the VM, after KVM_ARM_VCPU_INIT. It stays the
  // VMM's and must outlive this object.
  explicit KvmFirmwareBitmaps(int vcpu_fd, KvmIoctl& ioctl = SystemKvmIoctl());

  // Applies FirmwareBitmapEdits(plan): each register is read and written
  // back only if the edit changes it. Returns one line per register this
  // kernel lacks (ENOENT) whose bits the plan wanted set ("this kernel has
  // no KVM_REG_ARM_VENDOR_HYP_BMAP_2; guests cannot discover
  // DISCOVER_IMPL_VER through KVM_FEATURES"), for the VMM to log; empty when
  // all is set. (VENDOR_HYP_BMAP_2 came with Linux 6.15; the others with 6.0.)
  // Errors name the register: FailedPrecondition for a vCPU not initialised
  // (ENOEXEC) or a VM that has run (EBUSY), InvalidArgument when KVM
  // refuses the bits (EINVAL).
  absl::StatusOr<std::vector<std::string>> Install(const ForwardingPlan& plan);

 private:
  int vcpu_fd_;
  KvmIoctl& ioctl_;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_FIRMWARE_BITMAPS_H_
