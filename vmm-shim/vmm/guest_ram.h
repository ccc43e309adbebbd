// Guest RAM: the host mapping that backs it. Everything that reaches guest
// RAM by guest-physical address (the image loaders, the shim's memory
// operands) goes through one bounds-checked view over this mapping,
// shim::MappedGuestMemory, so nothing lands outside the VM's memory.
#ifndef HYPERCALL_VMM_SHIM_VMM_GUEST_RAM_H_
#define HYPERCALL_VMM_SHIM_VMM_GUEST_RAM_H_

#include <cstdint>
#include <span>

#include "absl/status/statusor.h"
#include "hypercall/shim/guest_memory.h"

namespace hypercall::vmm {

// Anonymous private memory (MAP_NORESERVE: pages come as the guest touches
// them), unmapped on destruction. Move-only.
class RamMapping {
 public:
  // ResourceExhausted naming the size when mmap fails.
  static absl::StatusOr<RamMapping> Create(uint64_t size);
  RamMapping(RamMapping&& other) noexcept;
  RamMapping& operator=(RamMapping&& other) noexcept;
  ~RamMapping();

  std::span<uint8_t> bytes() const { return {data_, size_}; }
  // This mapping as the RAM region at `guest_phys_addr`.
  shim::MappedRamRegion At(uint64_t guest_phys_addr) const {
    return {guest_phys_addr, size_, data_};
  }

 private:
  RamMapping(uint8_t* data, uint64_t size) : data_(data), size_(size) {}
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_GUEST_RAM_H_
