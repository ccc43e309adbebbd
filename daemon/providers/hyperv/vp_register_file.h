// The Hyper-V registers of every VM the hyperv provider has seen, and of its
// VPs: what HvCallGetVpRegisters reads and HvCallSetVpRegisters writes.
//
// Per VM (keyed by CallContext::vm): GUEST_OS_ID (written by the guest,
// partition-wide) and the base of TIME_REF_COUNT (the VM's first register
// access). Per VP: VP_INDEX, the calling vCPU's index (read-only). The
// version and feature registers are the same for every VM: `identity`, from
// the provider's options (read-only).
//
// A VM's state lives until it detaches (Forget), and at most `max_vms` VMs
// are tracked: beyond that the least recently used VM's state is dropped,
// and that VM starts again from GUEST_OS_ID 0 and a new TIME_REF_COUNT base
// if it calls again.
// Thread-safe: vCPUs of one VM and of many VMs call it concurrently.
#ifndef HYPERCALL_DAEMON_PROVIDERS_HYPERV_VP_REGISTER_FILE_H_
#define HYPERCALL_DAEMON_PROVIDERS_HYPERV_VP_REGISTER_FILE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "providers/hyperv/hv_abi.h"

namespace hypercall::providers::hyperv {

// A monotonic clock; tests pass their own.
using MonotonicClock = std::function<std::chrono::steady_clock::time_point()>;

inline constexpr size_t kDefaultMaxVms = 4096;

class VpRegisterFile {
 public:
  explicit VpRegisterFile(
      MonotonicClock clock = [] { return std::chrono::steady_clock::now(); },
      size_t max_vms = kDefaultMaxVms, const HvIdentityRegisters& identity = {});

  // Register `name` as VP `vp` of `vm` sees it, into `value`. Returns
  // kHvStatusSuccess, or kHvStatusInvalidParameter for an unknown name.
  uint16_t Get(std::string_view vm, uint32_t vp, uint32_t name, HvRegisterValue& value);

  // Writes register `name` of `vm` (only GUEST_OS_ID is writable; its low
  // 64 bits are kept). Returns kHvStatusSuccess, or
  // kHvStatusInvalidParameter for a read-only or unknown name.
  uint16_t Set(std::string_view vm, uint32_t name, const HvRegisterValue& value);

  // Drops `vm`'s state: it starts again from GUEST_OS_ID 0 and a new
  // TIME_REF_COUNT base if it calls again.
  void Forget(std::string_view vm);

  // The number of VMs whose state is held (at most max_vms).
  size_t vm_count() const;

 private:
  struct VmState {
    uint64_t guest_os_id = 0;
    std::chrono::steady_clock::time_point time_ref_base;
    // This VM's place in lru_ (most recently used first).
    std::list<std::string>::iterator lru_position;
  };

  // `vm`'s state, made (evicting the least recently used VM when full) on
  // first use and marked most recently used.
  VmState& Touch(std::string_view vm) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const MonotonicClock clock_;
  const size_t max_vms_;
  const HvIdentityRegisters identity_;
  mutable absl::Mutex mutex_;
  absl::flat_hash_map<std::string, VmState> vms_ ABSL_GUARDED_BY(mutex_);
  std::list<std::string> lru_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace hypercall::providers::hyperv

#endif  // HYPERCALL_DAEMON_PROVIDERS_HYPERV_VP_REGISTER_FILE_H_
