#include "hypercall/shim/kvm_arm64_vcpu.h"

#include <cstring>
#include <string>

#include "absl/strings/str_format.h"
#include "hypercall/shim/kvm_arm64_uapi.h"

namespace hypercall::shim {
namespace {

kvm::RunHypercall HypercallExit(const unsigned char* run) {
  kvm::RunHypercall exit;
  std::memcpy(&exit, run + kvm::kRunExitUnionOffset, sizeof(exit));
  return exit;
}

absl::Status RegisterError(const char* ioctl_name, int index, int err) {
  return absl::ErrnoToStatus(-err, absl::StrFormat("%s(x%d) failed", ioctl_name, index));
}

}  // namespace

KvmArm64Vcpu::KvmArm64Vcpu(int vcpu_fd, const void* run, KvmIoctl& ioctl)
    : vcpu_fd_(vcpu_fd), run_(static_cast<const unsigned char*>(run)), ioctl_(ioctl) {}

uint32_t KvmArm64Vcpu::FunctionId() const { return static_cast<uint32_t>(HypercallExit(run_).nr); }

smccc::Conduit KvmArm64Vcpu::conduit() const {
  return (HypercallExit(run_).flags & kvm::kHypercallExitSmc) != 0 ? smccc::Conduit::kSmc
                                                                   : smccc::Conduit::kHvc;
}

absl::StatusOr<uint64_t> KvmArm64Vcpu::DoReadRegister(int index) {
  uint64_t value = 0;
  kvm::OneReg reg{kvm::CoreRegisterId(index), reinterpret_cast<uintptr_t>(&value)};
  if (int r = ioctl_.Call(vcpu_fd_, kvm::kGetOneReg, &reg); r != 0) {
    return RegisterError("KVM_GET_ONE_REG", index, r);
  }
  return value;
}

absl::Status KvmArm64Vcpu::DoWriteRegister(int index, uint64_t value) {
  kvm::OneReg reg{kvm::CoreRegisterId(index), reinterpret_cast<uintptr_t>(&value)};
  if (int r = ioctl_.Call(vcpu_fd_, kvm::kSetOneReg, &reg); r != 0) {
    return RegisterError("KVM_SET_ONE_REG", index, r);
  }
  return absl::OkStatus();
}

}  // namespace hypercall::shim
