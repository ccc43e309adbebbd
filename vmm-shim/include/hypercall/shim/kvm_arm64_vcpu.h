// The VcpuBackend of a real arm64 KVM vCPU stopped on KVM_EXIT_HYPERCALL: the
// function ID and conduit come from kvm_run, each register is one
// KVM_GET_ONE_REG / KVM_SET_ONE_REG (arm64 has no batched register access).
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_ARM64_VCPU_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_ARM64_VCPU_H_

#include <cstdint>

#include "hypercall/shim/kvm_ioctl.h"
#include "hypercall/shim/vcpu_backend.h"

namespace hypercall::shim {

class KvmArm64Vcpu : public VcpuBackend {
 public:
  // `vcpu_fd` and `run` (the vCPU's mmap-ed struct kvm_run) stay the VMM's;
  // both must outlive this object. `ioctl` is the kernel (or a test's stand-in).
  KvmArm64Vcpu(int vcpu_fd, const void* run, KvmIoctl& ioctl = SystemKvmIoctl());

  // Valid only while run->exit_reason is KVM_EXIT_HYPERCALL.
  // w0 as issued: run->hypercall.nr.
  uint32_t FunctionId() const override;
  // HVC, or SMC when run->hypercall.flags has KVM_HYPERCALL_EXIT_SMC.
  smccc::Conduit conduit() const override;

 protected:
  absl::StatusOr<uint64_t> DoReadRegister(int index) override;
  absl::Status DoWriteRegister(int index, uint64_t value) override;

 private:
  int vcpu_fd_;
  const unsigned char* run_;
  KvmIoctl& ioctl_;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_KVM_ARM64_VCPU_H_
