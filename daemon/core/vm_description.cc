#include "core/vm_description.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_format.h"

namespace hypercall::core {
namespace {

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

absl::Status ValidateRam(const std::vector<RamRegion>& ram) {
  if (ram.size() > kMaxRamRegions) {
    return absl::InvalidArgumentError(
        absl::StrFormat("vm.ram has %d regions; at most %d", ram.size(), kMaxRamRegions));
  }
  for (size_t i = 0; i < ram.size(); ++i) {
    if (ram[i].size == 0) {
      return absl::InvalidArgumentError(absl::StrFormat("vm.ram[%d].size must be non-zero", i));
    }
    if (ram[i].guest_phys_addr + (ram[i].size - 1) < ram[i].guest_phys_addr) {
      return absl::InvalidArgumentError(
          absl::StrFormat("vm.ram[%d] (0x%x + 0x%x bytes) runs past the end of the address space",
                          i, ram[i].guest_phys_addr, ram[i].size));
    }
  }
  // Sorted by address, a region can only overlap its successor.
  std::vector<size_t> order(ram.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return ram[a].guest_phys_addr < ram[b].guest_phys_addr; });
  for (size_t k = 1; k < order.size(); ++k) {
    const RamRegion& prev = ram[order[k - 1]];
    const RamRegion& next = ram[order[k]];
    if (next.guest_phys_addr <= prev.guest_phys_addr + (prev.size - 1)) {
      return absl::InvalidArgumentError(absl::StrFormat("vm.ram[%d] overlaps vm.ram[%d]",
                                                        std::max(order[k - 1], order[k]),
                                                        std::min(order[k - 1], order[k])));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateStolenTime(const StolenTimeRegion& region, uint32_t vcpu_count) {
  if (region.size == 0) {
    if (region.guest_phys_addr == 0) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrFormat(
        "vm.stolen_time is at 0x%x but its size is 0; give at least %d bytes per vCPU, or leave "
        "it unset",
        region.guest_phys_addr, kStolenTimeRecordBytes));
  }
  if (region.guest_phys_addr % kStolenTimeRecordBytes != 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("vm.stolen_time.guest_phys_addr 0x%x must be %d-byte aligned",
                        region.guest_phys_addr, kStolenTimeRecordBytes));
  }
  if (region.guest_phys_addr + (region.size - 1) < region.guest_phys_addr) {
    return absl::InvalidArgumentError(
        absl::StrFormat("vm.stolen_time (0x%x + 0x%x bytes) runs past the end of the address space",
                        region.guest_phys_addr, region.size));
  }
  if (region.size / kStolenTimeRecordBytes < vcpu_count) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "vm.stolen_time has %d bytes, too few for %d vCPUs: it needs %d bytes per vCPU",
        region.size, vcpu_count, kStolenTimeRecordBytes));
  }
  return absl::OkStatus();
}

}  // namespace

bool ValidVmName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxVmNameLength &&
         std::all_of(name.begin(), name.end(), IsNameChar);
}

absl::Status Validate(const VmDescription& vm) {
  if (vm.name.empty() || vm.name.size() > kMaxVmNameLength) {
    return absl::InvalidArgumentError(absl::StrFormat("vm.name must be 1-%d characters (got %d)",
                                                      kMaxVmNameLength, vm.name.size()));
  }
  if (!std::all_of(vm.name.begin(), vm.name.end(), IsNameChar)) {
    return absl::InvalidArgumentError("vm.name may contain only letters, digits, '.', '_' and '-'");
  }
  if (!vm.uuid.empty() && vm.uuid.size() != 16) {
    return absl::InvalidArgumentError(
        absl::StrFormat("vm.uuid must be 16 bytes or empty (got %d bytes)", vm.uuid.size()));
  }
  if (vm.vcpu_count < 1 || vm.vcpu_count > kMaxVcpus) {
    return absl::InvalidArgumentError(
        absl::StrFormat("vm.vcpu_count must be 1..%d (got %d)", kMaxVcpus, vm.vcpu_count));
  }
  if (absl::Status status = ValidateRam(vm.ram); !status.ok()) return status;
  return ValidateStolenTime(vm.stolen_time, vm.vcpu_count);
}

std::vector<uint64_t> StolenTimeRecords(const VmDescription& vm, bool plans_pv_time) {
  std::vector<uint64_t> records;
  if (!plans_pv_time || vm.stolen_time.size == 0) return records;
  records.reserve(vm.vcpu_count);
  for (uint32_t i = 0; i < vm.vcpu_count; ++i) {
    records.push_back(vm.stolen_time.guest_phys_addr + kStolenTimeRecordBytes * i);
  }
  return records;
}

}  // namespace hypercall::core
