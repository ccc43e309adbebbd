#include "hypercall/shim/guest_memory.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_format.h"

namespace hypercall::shim {
namespace {

// [first, first + size) as "[0x40000000, 0x50000000)"; the end of a region
// reaching 2^64 prints as 0x10000000000000000.
std::string DescribeRegion(const MappedRamRegion& r) {
  const uint64_t last = r.guest_phys_addr + (r.size - 1);
  return last == ~uint64_t{0} ? absl::StrFormat("[0x%x, 0x10000000000000000)", r.guest_phys_addr)
                              : absl::StrFormat("[0x%x, 0x%x)", r.guest_phys_addr, last + 1);
}

}  // namespace

absl::StatusOr<MappedGuestMemory> MappedGuestMemory::Create(std::vector<MappedRamRegion> regions) {
  for (size_t i = 0; i < regions.size(); ++i) {
    const MappedRamRegion& r = regions[i];
    if (r.size == 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("RAM region %d at 0x%x is empty", i, r.guest_phys_addr));
    }
    if (r.host == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrFormat("RAM region %d %s has no host mapping", i, DescribeRegion(r)));
    }
    if (r.size - 1 > ~r.guest_phys_addr) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "RAM region %d: 0x%x bytes at 0x%x wrap past 2^64", i, r.size, r.guest_phys_addr));
    }
  }
  std::sort(regions.begin(), regions.end(), [](const MappedRamRegion& a, const MappedRamRegion& b) {
    return a.guest_phys_addr < b.guest_phys_addr;
  });
  for (size_t i = 1; i < regions.size(); ++i) {
    const MappedRamRegion& before = regions[i - 1];
    if (regions[i].guest_phys_addr - before.guest_phys_addr < before.size) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "RAM regions %s and %s overlap", DescribeRegion(before), DescribeRegion(regions[i])));
    }
  }
  return MappedGuestMemory(std::move(regions));
}

uint8_t* MappedGuestMemory::Translate(uint64_t gpa, uint64_t length) const {
  // The last region starting at or below gpa is the only one that can hold it.
  auto it = std::upper_bound(
      regions_.begin(), regions_.end(), gpa,
      [](uint64_t addr, const MappedRamRegion& r) { return addr < r.guest_phys_addr; });
  if (it == regions_.begin()) return nullptr;
  const MappedRamRegion& r = *--it;
  const uint64_t offset = gpa - r.guest_phys_addr;
  // Both in region-relative terms, so nothing can wrap.
  if (offset > r.size || length > r.size - offset) return nullptr;
  return static_cast<uint8_t*>(r.host) + offset;
}

bool MappedGuestMemory::Contains(uint64_t gpa, uint64_t length) const {
  return Translate(gpa, length) != nullptr;
}

absl::Status MappedGuestMemory::OutOfRange(uint64_t gpa, uint64_t length) const {
  std::string layout;
  for (const MappedRamRegion& r : regions_) {
    if (!layout.empty()) layout += ", ";
    layout += DescribeRegion(r);
  }
  return absl::OutOfRangeError(
      absl::StrFormat("%u bytes at 0x%x do not fit in one guest RAM region (%s)", length, gpa,
                      layout.empty() ? "the VM has no RAM" : layout));
}

absl::Status MappedGuestMemory::Read(uint64_t gpa, std::span<uint8_t> out) const {
  const uint8_t* host = Translate(gpa, out.size());
  if (host == nullptr) return OutOfRange(gpa, out.size());
  if (!out.empty()) std::memcpy(out.data(), host, out.size());
  return absl::OkStatus();
}

absl::Status MappedGuestMemory::Write(uint64_t gpa, std::span<const uint8_t> data) {
  uint8_t* host = Translate(gpa, data.size());
  if (host == nullptr) return OutOfRange(gpa, data.size());
  if (!data.empty()) std::memcpy(host, data.data(), data.size());
  return absl::OkStatus();
}

}  // namespace hypercall::shim
