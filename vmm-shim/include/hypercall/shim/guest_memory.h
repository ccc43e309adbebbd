// Guest RAM as the shim reaches it for memory operands: buffers that calls in
// a planned range pass by guest-physical address (PlannedRange::memory). The
// shim copies IN/INOUT bytes out of guest RAM into the call and writes the
// provider's OUT/INOUT bytes back; providers never see a mapping, and no
// other VMM memory is reachable this way.
//
// Every access is bounds-checked: the whole of [gpa, gpa + length) must lie
// inside ONE RAM region (two regions adjacent in guest-physical space need
// not be adjacent on the host, so an access straddling them is refused) and
// must not wrap past 2^64. A refused access touches nothing.
#ifndef HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_GUEST_MEMORY_H_
#define HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_GUEST_MEMORY_H_

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hypercall::shim {

// How the shim reads and writes guest RAM. An interface so that a VMM with
// its own memory model (dirty-page tracking for live migration, RAM it maps
// lazily) can keep that model; MappedGuestMemory serves VMMs whose RAM is
// simply mapped into their address space.
//
// Implementations must be thread-safe: every vCPU thread calls them at once.
// The guest keeps running on its other vCPUs while bytes are copied, so a
// guest that changes a buffer during its own call gets what it raced for.
// The layout must not change while the shim uses it: the shim checks each
// buffer when the call is made and writes results back later; a write-back
// that fails then answers the guest the operand's bad-address x0, with the
// result's earlier buffers already written.
class GuestMemory {
 public:
  virtual ~GuestMemory() = default;

  // True when [gpa, gpa + length) lies wholly inside one RAM region without
  // wrapping. Length 0: gpa is inside a region or at its end.
  virtual bool Contains(uint64_t gpa, uint64_t length) const = 0;

  // Copies guest-physical [gpa, gpa + out.size()) into `out`. OutOfRange
  // naming the range when Contains(gpa, out.size()) is false; `out` is then
  // untouched.
  virtual absl::Status Read(uint64_t gpa, std::span<uint8_t> out) const = 0;

  // Copies `data` to guest-physical gpa on. OutOfRange as Read; guest RAM is
  // then untouched.
  virtual absl::Status Write(uint64_t gpa, std::span<const uint8_t> data) = 0;
};

// One RAM region and where the VMM maps it: for KVM, a memslot's
// guest_phys_addr, memory_size and userspace_addr.
struct MappedRamRegion {
  uint64_t guest_phys_addr = 0;
  // Bytes; non-zero, and the region ends at or below 2^64.
  uint64_t size = 0;
  // `size` bytes mapped read-write in this process, for as long as the
  // MappedGuestMemory is used.
  void* host = nullptr;
};

// Guest RAM that is mapped into the VMM: accesses are bounds-checked memcpy.
// The region list is fixed at creation, so concurrent use is safe.
class MappedGuestMemory final : public GuestMemory {
 public:
  // InvalidArgument naming the region when one is empty, has no host
  // mapping, wraps past 2^64 or overlaps another. No regions at all is
  // valid: every access is then refused.
  static absl::StatusOr<MappedGuestMemory> Create(std::vector<MappedRamRegion> regions);

  bool Contains(uint64_t gpa, uint64_t length) const override;
  absl::Status Read(uint64_t gpa, std::span<uint8_t> out) const override;
  absl::Status Write(uint64_t gpa, std::span<const uint8_t> data) override;

  // Sorted by guest_phys_addr.
  const std::vector<MappedRamRegion>& regions() const { return regions_; }

 private:
  explicit MappedGuestMemory(std::vector<MappedRamRegion> regions) : regions_(std::move(regions)) {}

  // The host bytes behind [gpa, gpa + length), or nullptr when that range is
  // not wholly inside one region.
  uint8_t* Translate(uint64_t gpa, uint64_t length) const;
  absl::Status OutOfRange(uint64_t gpa, uint64_t length) const;

  std::vector<MappedRamRegion> regions_;
};

}  // namespace hypercall::shim

#endif  // HYPERCALL_VMM_SHIM_INCLUDE_HYPERCALL_SHIM_GUEST_MEMORY_H_
