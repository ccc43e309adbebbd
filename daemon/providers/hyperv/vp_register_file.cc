#include "providers/hyperv/vp_register_file.h"

#include <utility>

namespace hypercall::providers::hyperv {

VpRegisterFile::VpRegisterFile(MonotonicClock clock, size_t max_vms,
                               const HvIdentityRegisters& identity)
    : clock_(std::move(clock)), max_vms_(max_vms < 1 ? 1 : max_vms), identity_(identity) {}

VpRegisterFile::VmState& VpRegisterFile::Touch(std::string_view vm) {
  std::string key(vm);
  auto it = vms_.find(key);
  if (it != vms_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru_position);
    return it->second;
  }
  if (vms_.size() >= max_vms_) {
    vms_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  VmState& state = vms_[std::move(key)];
  state.time_ref_base = clock_();
  state.lru_position = lru_.begin();
  return state;
}

uint16_t VpRegisterFile::Get(std::string_view vm, uint32_t vp, uint32_t name,
                             HvRegisterValue& value) {
  absl::MutexLock lock(&mutex_);
  VmState& state = Touch(vm);
  switch (name) {
    case kHvRegisterHypervisorVersion:
      value = identity_.hypervisor_version;
      return kHvStatusSuccess;
    case kHvRegisterPrivilegesAndFeaturesInfo:
      value = identity_.privileges_and_features;
      return kHvStatusSuccess;
    case kHvRegisterFeaturesInfo:
      value = identity_.features_info;
      return kHvStatusSuccess;
    case kHvRegisterGuestOsId:
      value = {.low = state.guest_os_id, .high = 0};
      return kHvStatusSuccess;
    case kHvRegisterVpIndex:
      value = {.low = vp, .high = 0};
      return kHvStatusSuccess;
    case kHvRegisterTimeRefCount: {
      // 100 ns units since the base; a steady clock never goes back.
      const auto elapsed = clock_() - state.time_ref_base;
      value = {.low = static_cast<uint64_t>(
                   std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count() / 100),
               .high = 0};
      return kHvStatusSuccess;
    }
    default:
      return kHvStatusInvalidParameter;
  }
}

uint16_t VpRegisterFile::Set(std::string_view vm, uint32_t name, const HvRegisterValue& value) {
  if (name != kHvRegisterGuestOsId) return kHvStatusInvalidParameter;
  absl::MutexLock lock(&mutex_);
  Touch(vm).guest_os_id = value.low;
  return kHvStatusSuccess;
}

void VpRegisterFile::Forget(std::string_view vm) {
  absl::MutexLock lock(&mutex_);
  auto it = vms_.find(std::string(vm));
  if (it == vms_.end()) return;
  lru_.erase(it->second.lru_position);
  vms_.erase(it);
}

size_t VpRegisterFile::vm_count() const {
  absl::MutexLock lock(&mutex_);
  return vms_.size();
}

}  // namespace hypercall::providers::hyperv
