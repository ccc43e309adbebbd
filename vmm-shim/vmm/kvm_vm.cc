#include "kvm_vm.h"

#include <fcntl.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"

namespace hypercall::vmm {

int KvmIoctl(int fd, unsigned long request, void* arg) {
  int r;
  do {
    r = ioctl(fd, request, arg);
  } while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : r;
}

int KvmIoctl(int fd, unsigned long request, unsigned long arg) {
  int r;
  do {
    r = ioctl(fd, request, arg);
  } while (r < 0 && errno == EINTR);
  return r < 0 ? -errno : r;
}

absl::Status KvmError(const std::string& what, int neg_errno, const char* hint) {
  std::string message = absl::StrFormat("%s: %s", what, std::strerror(-neg_errno));
  if (hint == nullptr) return absl::InternalError(message);
  return absl::FailedPreconditionError(absl::StrFormat("%s; %s", message, hint));
}

absl::StatusOr<std::unique_ptr<KvmVm>> KvmVm::Create(const char* device) {
  UniqueFd kvm(open(device, O_RDWR | O_CLOEXEC));
  if (kvm.get() < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "%s does not exist: hypercall-vmm needs KVM on an arm64 Linux host (under QEMU: "
          "-M virt,virtualization=on and a kernel booted at EL2)",
          device));
    }
    if (err == EACCES || err == EPERM) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "cannot open %s: %s; run as root or as a member of the group that owns it (kvm)", device,
          std::strerror(err)));
    }
    return KvmError(absl::StrFormat("cannot open %s", device), -err,
                    "check that KVM is enabled in this kernel");
  }
  if (int v = KvmIoctl(kvm.get(), kvm::kGetApiVersion, 0ul); v != kvm::kApiVersion) {
    return absl::FailedPreconditionError(
        absl::StrFormat("%s speaks KVM API %d, not %d", device, v, kvm::kApiVersion));
  }
  const int mmap_size = KvmIoctl(kvm.get(), kvm::kGetVcpuMmapSize, 0ul);
  if (mmap_size < 0) return KvmError("KVM_GET_VCPU_MMAP_SIZE", mmap_size);
  const int vm = KvmIoctl(kvm.get(), kvm::kCreateVm, 0ul);
  if (vm < 0) return KvmError("KVM_CREATE_VM", vm, "is KVM usable on this host (dmesg)?");
  return std::unique_ptr<KvmVm>(
      new KvmVm(std::move(kvm), UniqueFd(vm), static_cast<size_t>(mmap_size)));
}

int KvmVm::SetMemslot(uint32_t slot, uint64_t gpa, std::span<uint8_t> host) {
  kvm::UserspaceMemoryRegion region{};
  region.slot = slot;
  region.guest_phys_addr = gpa;
  region.memory_size = host.size();
  region.userspace_addr = reinterpret_cast<uintptr_t>(host.data());
  return KvmIoctl(vm_.get(), kvm::kSetUserMemoryRegion, &region);
}

absl::Status KvmVm::AddStolenTimeRegion(uint64_t gpa, std::span<uint8_t> host) {
  if (int r = SetMemslot(1, gpa, host); r < 0) {
    return KvmError(absl::StrFormat("KVM_SET_USER_MEMORY_REGION (stolen-time region, %u KiB at "
                                    "0x%x)",
                                    host.size() >> 10, gpa),
                    r, "run with --no-stolen-time");
  }
  return absl::OkStatus();
}

absl::Status KvmVm::AddRam(uint64_t gpa, std::span<uint8_t> host) {
  if (int r = SetMemslot(0, gpa, host); r < 0) {
    return KvmError(
        absl::StrFormat("KVM_SET_USER_MEMORY_REGION (%u MiB at 0x%x)", host.size() >> 20, gpa), r,
        "try a smaller --memory");
  }
  return absl::OkStatus();
}

absl::StatusOr<kvm::VcpuInit> KvmVm::PreferredTarget() const {
  kvm::VcpuInit init{};
  if (int r = KvmIoctl(vm_.get(), kvm::kArmPreferredTarget, &init); r < 0) {
    return KvmError("KVM_ARM_PREFERRED_TARGET", r, "is this an arm64 KVM host?");
  }
  return init;
}

absl::Status KvmVm::SetSpiLevel(uint32_t spi, bool level) const {
  kvm::IrqLevel irq{kvm::SpiIrqLine(spi), level ? 1u : 0u};
  if (int r = KvmIoctl(vm_.get(), kvm::kIrqLine, &irq); r < 0) {
    return KvmError(absl::StrFormat("KVM_IRQ_LINE (SPI %u)", spi), r);
  }
  return absl::OkStatus();
}

}  // namespace hypercall::vmm
