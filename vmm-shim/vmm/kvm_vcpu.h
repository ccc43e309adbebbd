// One KVM vCPU: its fd, its mmap-ed kvm_run, KVM_ARM_VCPU_INIT with PSCI 0.2
// (secondaries powered off until PSCI CPU_ON), boot registers, KVM_RUN, and
// the immediate_exit flag that lets another thread stop it.
#ifndef HYPERCALL_VMM_SHIM_VMM_KVM_VCPU_H_
#define HYPERCALL_VMM_SHIM_VMM_KVM_VCPU_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kvm_uapi.h"
#include "kvm_vm.h"
#include "unique_fd.h"

namespace hypercall::vmm {

class KvmVcpu {
 public:
  // Creates vCPU `index` of `vm` and initialises it with `target` (from
  // KvmVm::PreferredTarget) plus PSCI 0.2, and POWER_OFF unless index is 0.
  static absl::StatusOr<std::unique_ptr<KvmVcpu>> Create(const KvmVm& vm, uint32_t index,
                                                         const kvm::VcpuInit& target);
  ~KvmVcpu();
  KvmVcpu(const KvmVcpu&) = delete;
  KvmVcpu& operator=(const KvmVcpu&) = delete;

  uint32_t index() const { return index_; }
  int fd() const { return fd_.get(); }
  // The kvm_run structure (shim::kvm::RunHeader, then the exit union).
  void* run() const { return run_; }
  const kvm::RunHeader& header() const { return *static_cast<const kvm::RunHeader*>(run_); }
  // The exit union member for the current exit_reason.
  template <typename T>
  T& exit() const {
    return *reinterpret_cast<T*>(static_cast<uint8_t*>(run_) + kvm::kRunExitUnionOffset);
  }

  // KVM_SET_ONE_REG. REQUIRES: the vCPU is not running.
  absl::Status SetRegister(uint64_t id, uint64_t value);

  // KVM_RUN once: 0 on an exit to handle, -EINTR when a signal or
  // RequestImmediateExit cut it short, another -errno on failure.
  int Run();

  // Makes the running KVM_RUN (after the kick signal) and every later one
  // return -EINTR at once. Thread-safe.
  void RequestImmediateExit();

 private:
  KvmVcpu(uint32_t index, UniqueFd fd, void* run, size_t run_size)
      : index_(index), fd_(std::move(fd)), run_(run), run_size_(run_size) {}

  const uint32_t index_;
  UniqueFd fd_;
  void* const run_;
  const size_t run_size_;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_KVM_VCPU_H_
