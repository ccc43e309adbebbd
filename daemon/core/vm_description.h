// What a VMM says about its VM when it attaches, as plain values, and the
// rules it must meet. Anything a VMM sends is untrusted: Validate names the
// first field that breaks a rule and how to fix it.
#ifndef HYPERCALL_DAEMON_CORE_VM_DESCRIPTION_H_
#define HYPERCALL_DAEMON_CORE_VM_DESCRIPTION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace hypercall::core {

inline constexpr size_t kMaxVmNameLength = 64;
inline constexpr uint32_t kMaxVcpus = 512;
inline constexpr size_t kMaxRamRegions = 64;

struct RamRegion {
  uint64_t guest_phys_addr = 0;
  uint64_t size = 0;
};

// Guest-physical memory the VMM set aside for the vCPUs' PV stolen-time
// records (Arm DEN0057), one 64-byte record per vCPU.
inline constexpr uint64_t kStolenTimeRecordBytes = 64;
struct StolenTimeRegion {
  uint64_t guest_phys_addr = 0;
  // 0: the VM has no such region.
  uint64_t size = 0;
};

struct VmDescription {
  // 1-64 characters from [A-Za-z0-9._-].
  std::string name;
  // 16 bytes, or empty.
  std::string uuid;
  // 1..512.
  uint32_t vcpu_count = 0;
  // At most 64 regions, each non-empty, inside the 64-bit address space,
  // none overlapping another.
  std::vector<RamRegion> ram;
  // Empty (size 0), or 64-byte aligned, inside the 64-bit address space and
  // at least 64 bytes per vCPU.
  StolenTimeRegion stolen_time;
};

// OK, or InvalidArgument naming the field ("vm.name", "vm.ram[2]", ...).
absl::Status Validate(const VmDescription& vm);

// True when `name` is a VM name Validate accepts.
bool ValidVmName(std::string_view name);

// The address of each vCPU's stolen-time record (base + 64 * index) when
// `plans_pv_time` (the VM's routes forward PV_TIME_ST) and the VM has a
// stolen-time region; otherwise none. REQUIRES: Validate(vm) is OK.
std::vector<uint64_t> StolenTimeRecords(const VmDescription& vm, bool plans_pv_time);

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_VM_DESCRIPTION_H_
