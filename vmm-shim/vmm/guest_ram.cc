#include "guest_ram.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_format.h"

namespace hypercall::vmm {

absl::StatusOr<RamMapping> RamMapping::Create(uint64_t size) {
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (data == MAP_FAILED) {
    return absl::ResourceExhaustedError(
        absl::StrFormat("cannot map %u MiB of guest RAM: %s; use a smaller --memory", size >> 20,
                        std::strerror(errno)));
  }
  return RamMapping(static_cast<uint8_t*>(data), size);
}

RamMapping::RamMapping(RamMapping&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

RamMapping& RamMapping::operator=(RamMapping&& other) noexcept {
  std::swap(data_, other.data_);
  std::swap(size_, other.size_);
  return *this;
}

RamMapping::~RamMapping() {
  if (data_ != nullptr) munmap(data_, size_);
}

}  // namespace hypercall::vmm
