#include "gic_v3.h"

#include "kvm_uapi.h"
#include "kvm_vm.h"
#include "platform.h"

namespace hypercall::vmm {
namespace {

absl::Status SetAttr(int fd, uint32_t group, uint64_t attr, const void* value, const char* what) {
  kvm::DeviceAttr a{};
  a.group = group;
  a.attr = attr;
  a.addr = reinterpret_cast<uintptr_t>(value);
  if (int r = KvmIoctl(fd, kvm::kSetDeviceAttr, &a); r < 0) return KvmError(what, r);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GicV3> GicV3::Create(int vm_fd) {
  kvm::CreateDevice device{};
  device.type = kvm::kDevTypeArmVgicV3;
  if (int r = KvmIoctl(vm_fd, kvm::kCreateDevice, &device); r < 0) {
    return KvmError("KVM_CREATE_DEVICE (GICv3)", r,
                    "the host needs a GICv3 (under QEMU: -M virt,gic-version=3)");
  }
  GicV3 gic{UniqueFd(static_cast<int>(device.fd))};
  const uint64_t dist = platform::kGicDistBase;
  const uint64_t redist = platform::kGicRedistBase;
  if (absl::Status s = SetAttr(gic.fd_.get(), kvm::kDevArmVgicGrpAddr, kvm::kVgicV3AddrTypeDist,
                               &dist, "GICv3 distributor address");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = SetAttr(gic.fd_.get(), kvm::kDevArmVgicGrpAddr, kvm::kVgicV3AddrTypeRedist,
                               &redist, "GICv3 redistributor address");
      !s.ok()) {
    return s;
  }
  return gic;
}

absl::Status GicV3::Initialize() {
  return SetAttr(fd_.get(), kvm::kDevArmVgicGrpCtrl, kvm::kDevArmVgicCtrlInit, nullptr,
                 "GICv3 KVM_DEV_ARM_VGIC_CTRL_INIT");
}

}  // namespace hypercall::vmm
