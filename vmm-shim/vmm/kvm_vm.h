// A KVM virtual machine: /dev/kvm, the VM fd, its RAM memslot and the
// interrupt lines the VMM's devices drive. Setup errors say what the user can
// do about them (no /dev/kvm, no permission, an old kernel).
#ifndef HYPERCALL_VMM_SHIM_VMM_KVM_VM_H_
#define HYPERCALL_VMM_SHIM_VMM_KVM_VM_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kvm_uapi.h"
#include "unique_fd.h"

namespace hypercall::vmm {

// ioctl(fd, request, arg), retried on EINTR: its non-negative result, or -errno.
int KvmIoctl(int fd, unsigned long request, void* arg);
int KvmIoctl(int fd, unsigned long request, unsigned long arg);

// "<what>: <strerror>", as Internal (or FailedPrecondition when `hint` is given,
// appended as what to do).
absl::Status KvmError(const std::string& what, int neg_errno, const char* hint = nullptr);

class KvmVm {
 public:
  // Opens `device` (/dev/kvm), checks the API version and creates a VM with
  // the default 40-bit IPA space. FailedPrecondition saying what to do when
  // the device is missing (no KVM: needs an arm64 Linux host with KVM, e.g.
  // QEMU -M virt,virtualization=on) or not accessible (root or group kvm).
  static absl::StatusOr<std::unique_ptr<KvmVm>> Create(const char* device = "/dev/kvm");

  // Memslot 0: guest-physical [gpa, gpa + host.size()) backed by `host`,
  // which must stay mapped while the VM lives.
  absl::Status AddRam(uint64_t gpa, std::span<uint8_t> host);
  // Memslot 1, the same way: the stolen-time region (KVM writes the records
  // there; a record's address must be in a memslot when it is set).
  absl::Status AddStolenTimeRegion(uint64_t gpa, std::span<uint8_t> host);

  // The vCPU target and features KVM prefers on this host
  // (KVM_ARM_PREFERRED_TARGET).
  absl::StatusOr<kvm::VcpuInit> PreferredTarget() const;

  // Drives SPI `spi` of the in-kernel GIC (KVM_IRQ_LINE). Thread-safe.
  absl::Status SetSpiLevel(uint32_t spi, bool level) const;

  int fd() const { return vm_.get(); }
  // Size of each vCPU's kvm_run mapping.
  size_t vcpu_mmap_size() const { return vcpu_mmap_size_; }

 private:
  KvmVm(UniqueFd kvm, UniqueFd vm, size_t vcpu_mmap_size)
      : kvm_(std::move(kvm)), vm_(std::move(vm)), vcpu_mmap_size_(vcpu_mmap_size) {}

  // KVM_SET_USER_MEMORY_REGION; -errno on failure.
  int SetMemslot(uint32_t slot, uint64_t gpa, std::span<uint8_t> host);

  UniqueFd kvm_;
  UniqueFd vm_;
  size_t vcpu_mmap_size_;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_KVM_VM_H_
