#include "mmio_bus.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace hypercall::vmm {

absl::Status MmioBus::Add(uint64_t base, uint64_t size, MmioDevice& device, std::string name) {
  if (size == 0 || base + size < base) {
    return absl::InvalidArgumentError(absl::StrFormat("MMIO range of %s is empty or wraps", name));
  }
  for (const Region& r : regions_) {
    if (base < r.base + r.size && r.base < base + size) {
      return absl::InvalidArgumentError(absl::StrFormat("MMIO range of %s [0x%x, 0x%x) overlaps %s",
                                                        name, base, base + size, r.name));
    }
  }
  regions_.push_back({base, size, &device, std::move(name)});
  return absl::OkStatus();
}

bool MmioBus::Access(uint64_t address, std::span<uint8_t> data, bool is_write) const {
  auto region = std::find_if(regions_.begin(), regions_.end(), [&](const Region& r) {
    return address >= r.base && address - r.base < r.size;
  });
  const int size = static_cast<int>(std::min<size_t>(data.size(), 8));
  if (region == regions_.end()) {
    if (!is_write) std::fill(data.begin(), data.end(), 0);
    return false;
  }
  const uint64_t offset = address - region->base;
  if (is_write) {
    uint64_t value = 0;
    for (int i = size - 1; i >= 0; --i) value = (value << 8) | data[i];
    region->device->Write(offset, value, size);
  } else {
    uint64_t value = region->device->Read(offset, size);
    for (int i = 0; i < size; ++i, value >>= 8) data[i] = static_cast<uint8_t>(value);
  }
  return true;
}

}  // namespace hypercall::vmm
