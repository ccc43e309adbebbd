// Guest RAM: the host mapping that backs it (RamMapping) and a bounds-checked
// view of it by guest-physical address (GuestRam), which the loaders write
// through so nothing lands outside the VM's memory.
#ifndef HYPERCALL_VMM_SHIM_VMM_GUEST_RAM_H_
#define HYPERCALL_VMM_SHIM_VMM_GUEST_RAM_H_

#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

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

 private:
  RamMapping(uint8_t* data, uint64_t size) : data_(data), size_(size) {}
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

// [base, base + bytes.size()) of guest-physical memory, backed by `bytes`
// (not owned; must outlive the view).
class GuestRam {
 public:
  GuestRam(uint64_t base, std::span<uint8_t> bytes) : base_(base), bytes_(bytes) {}

  uint64_t base() const { return base_; }
  uint64_t size() const { return bytes_.size(); }
  uint64_t end() const { return base_ + bytes_.size(); }
  bool Contains(uint64_t gpa, uint64_t length) const {
    return gpa >= base_ && gpa - base_ <= size() && length <= size() - (gpa - base_);
  }

  // Copies `data` to guest-physical `gpa`. OutOfRange naming both ranges when
  // any byte would fall outside RAM (nothing is written then).
  absl::Status Write(uint64_t gpa, std::span<const uint8_t> data);

 private:
  uint64_t base_;
  std::span<uint8_t> bytes_;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_GUEST_RAM_H_
