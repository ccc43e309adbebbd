#include "kvm_vcpu.h"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <atomic>
#include <cerrno>

#include "absl/strings/str_format.h"

namespace hypercall::vmm {

absl::StatusOr<std::unique_ptr<KvmVcpu>> KvmVcpu::Create(const KvmVm& vm, uint32_t index,
                                                         const kvm::VcpuInit& target) {
  const int fd = KvmIoctl(vm.fd(), kvm::kCreateVcpu, static_cast<unsigned long>(index));
  if (fd < 0) return KvmError(absl::StrFormat("KVM_CREATE_VCPU %u", index), fd);
  UniqueFd owned(fd);
  void* run = mmap(nullptr, vm.vcpu_mmap_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (run == MAP_FAILED) return KvmError(absl::StrFormat("mmap of vCPU %u", index), -errno);
  auto vcpu =
      std::unique_ptr<KvmVcpu>(new KvmVcpu(index, std::move(owned), run, vm.vcpu_mmap_size()));

  kvm::VcpuInit init = target;
  init.features[0] |= kvm::kArmVcpuPsci02;
  if (index != 0) init.features[0] |= kvm::kArmVcpuPowerOff;
  if (int r = KvmIoctl(fd, kvm::kArmVcpuInit, &init); r < 0) {
    return KvmError(absl::StrFormat("KVM_ARM_VCPU_INIT of vCPU %u", index), r);
  }
  return vcpu;
}

KvmVcpu::~KvmVcpu() { munmap(run_, run_size_); }

absl::Status KvmVcpu::SetRegister(uint64_t id, uint64_t value) {
  kvm::OneReg reg{id, reinterpret_cast<uintptr_t>(&value)};
  if (int r = KvmIoctl(fd_.get(), kvm::kSetOneReg, &reg); r < 0) {
    return KvmError(absl::StrFormat("KVM_SET_ONE_REG 0x%x of vCPU %u", id, index_), r);
  }
  return absl::OkStatus();
}

int KvmVcpu::Run() {
  // Not retried on EINTR: that is how another thread stops this one.
  return ioctl(fd_.get(), kvm::kRun, 0) < 0 ? -errno : 0;
}

void KvmVcpu::RequestImmediateExit() {
  auto* header = static_cast<kvm::RunHeader*>(run_);
  std::atomic_ref<uint8_t>(header->immediate_exit).store(1, std::memory_order_seq_cst);
}

}  // namespace hypercall::vmm
