#include "hypercall/shim/kvm_firmware_bitmaps.h"

#include <cerrno>

#include "absl/strings/str_format.h"
#include "hypercall/shim/kvm_arm64_uapi.h"
#include "smccc/known_calls.h"

namespace hypercall::shim {
namespace {

// `bit` into edit.set (with its service's name) when `wanted`, else into edit.clear.
void SetOrClear(FirmwareBitmapEdit& edit, uint64_t bit, bool wanted, const char* service) {
  if (!wanted) {
    edit.clear |= bit;
    return;
  }
  edit.set |= bit;
  if (!edit.offered.empty()) edit.offered += ", ";
  edit.offered += service;
}

FirmwareBitmapEdit EditOf(uint64_t reg_id, const char* name, const char* announced_by) {
  FirmwareBitmapEdit edit;
  edit.reg_id = reg_id;
  edit.name = name;
  edit.announced_by = announced_by;
  return edit;
}

absl::Status OneRegError(const char* op, const FirmwareBitmapEdit& edit, int err) {
  const std::string what = absl::StrFormat("%s(KVM_REG_ARM_%s)", op, edit.name);
  switch (err) {
    case ENOEXEC:
      return absl::FailedPreconditionError(
          what + ": the vCPU is not initialised; install after KVM_ARM_VCPU_INIT (ENOEXEC)");
    case EBUSY:
      return absl::FailedPreconditionError(
          what +
          ": a vCPU of this VM has already run (EBUSY); firmware bitmaps must be set before the "
          "first KVM_RUN");
    case EINVAL:
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: KVM refused bits 0x%x as unknown to this kernel (EINVAL)", what, edit.set));
    default:
      return absl::ErrnoToStatus(err, what + " failed");
  }
}

}  // namespace

std::vector<FirmwareBitmapEdit> FirmwareBitmapEdits(const ForwardingPlan& plan) {
  std::vector<FirmwareBitmapEdit> edits;
  // Linux probes TRNG_VERSION itself; KVM answers it (when not forwarded) from this bit.
  FirmwareBitmapEdit std_bmap = EditOf(kvm::kRegArmStdBmap, "STD_BMAP", "TRNG_VERSION");
  SetOrClear(std_bmap, kvm::kStdBitTrngV10, plan.Forwards(smccc::kTrngVersion), "TRNG");
  edits.push_back(std_bmap);

  FirmwareBitmapEdit std_hyp =
      EditOf(kvm::kRegArmStdHypBmap, "STD_HYP_BMAP", "SMCCC_ARCH_FEATURES");
  SetOrClear(std_hyp, kvm::kStdHypBitPvTime,
             plan.Forwards(smccc::kPvTimeFeatures) && !plan.stolen_time_records().empty(),
             "PV time");
  edits.push_back(std_hyp);

  if (plan.Forwards(smccc::kVendorHypCallUid)) {
    FirmwareBitmapEdit vendor =
        EditOf(kvm::kRegArmVendorHypBmap, "VENDOR_HYP_BMAP", "KVM_FEATURES");
    vendor.clear = kvm::kVendorHypBitFuncFeat;
    edits.push_back(vendor);
  }

  FirmwareBitmapEdit vendor_2 =
      EditOf(kvm::kRegArmVendorHypBmap2, "VENDOR_HYP_BMAP_2", "KVM_FEATURES");
  SetOrClear(vendor_2, kvm::kVendorHypBitDiscoverImplVer, plan.Forwards(smccc::kKvmDiscoverImplVer),
             "DISCOVER_IMPL_VER");
  SetOrClear(vendor_2, kvm::kVendorHypBitDiscoverImplCpus,
             plan.Forwards(smccc::kKvmDiscoverImplCpus), "DISCOVER_IMPL_CPUS");
  edits.push_back(vendor_2);
  return edits;
}

KvmFirmwareBitmaps::KvmFirmwareBitmaps(int vcpu_fd, KvmIoctl& ioctl)
    : vcpu_fd_(vcpu_fd), ioctl_(ioctl) {}

absl::StatusOr<std::vector<std::string>> KvmFirmwareBitmaps::Install(const ForwardingPlan& plan) {
  std::vector<std::string> notes;
  for (const FirmwareBitmapEdit& edit : FirmwareBitmapEdits(plan)) {
    uint64_t value = 0;
    kvm::OneReg reg{edit.reg_id, reinterpret_cast<uintptr_t>(&value)};
    if (int r = ioctl_.Call(vcpu_fd_, kvm::kGetOneReg, &reg); r != 0) {
      if (-r != ENOENT) return OneRegError("KVM_GET_ONE_REG", edit, -r);
      // Bits of a register KVM lacks are off for the guest: only a wanted
      // one is worth saying.
      if (edit.set != 0) {
        notes.push_back(absl::StrFormat(
            "this kernel has no KVM_REG_ARM_%s; guests cannot discover %s through %s", edit.name,
            edit.offered, edit.announced_by));
      }
      continue;
    }
    const uint64_t wanted = edit.Apply(value);
    if (wanted == value) continue;
    value = wanted;
    if (int r = ioctl_.Call(vcpu_fd_, kvm::kSetOneReg, &reg); r != 0) {
      return OneRegError("KVM_SET_ONE_REG", edit, -r);
    }
  }
  return notes;
}

}  // namespace hypercall::shim
