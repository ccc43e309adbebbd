#include "image_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"
#include "platform.h"

namespace hypercall::vmm {
namespace {

constexpr uint64_t k2MiB = 2 * platform::kMiB;
constexpr size_t kImageHeaderSize = 64;
constexpr uint32_t kImageMagic = 0x644d5241;  // "ARM\x64", little-endian.
constexpr uint64_t kDefaultTextOffset = 0x80000;
constexpr uint64_t kInitrdAlign = 4096;

uint64_t AlignDown(uint64_t value, uint64_t align) { return value & ~(align - 1); }

uint64_t Le64(std::span<const uint8_t> bytes, size_t offset) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[offset + i];
  return value;
}

uint32_t Le32(std::span<const uint8_t> bytes, size_t offset) {
  return static_cast<uint32_t>(Le64(bytes, offset) & 0xffffffff);
}

// The device tree's 2 MiB region at the top of RAM, or nullopt when RAM is
// too small to hold one.
std::optional<GuestRange> DtbRegion(uint64_t ram_base, uint64_t ram_size) {
  const uint64_t top = AlignDown(ram_base + ram_size, k2MiB);
  if (top < ram_base + platform::kDtbRegionSize) return std::nullopt;
  return GuestRange{top - platform::kDtbRegionSize, top};
}

absl::Status TooBig(const char* what, uint64_t needed_end, uint64_t ram_base, uint64_t ram_size) {
  // RAM needed: everything up to needed_end, plus the device tree's 2 MiB.
  const uint64_t needed_mib =
      (needed_end - ram_base + platform::kDtbRegionSize + k2MiB - 1) / k2MiB * 2;
  return absl::OutOfRangeError(absl::StrFormat(
      "%s does not fit in %u MiB of guest RAM (it needs about %u MiB with the device "
      "tree): raise --memory",
      what, ram_size / platform::kMiB, needed_mib));
}

}  // namespace

absl::StatusOr<Arm64ImageHeader> ParseArm64ImageHeader(std::span<const uint8_t> image) {
  if (image.size() >= 2 && image[0] == 0x1f && image[1] == 0x8b) {
    return absl::InvalidArgumentError(
        "the kernel is gzip-compressed: --kernel takes an uncompressed arm64 Image "
        "(decompress it with gunzip first)");
  }
  if (image.size() < kImageHeaderSize || Le32(image, 56) != kImageMagic) {
    return absl::InvalidArgumentError(
        "the kernel is not an arm64 Image (no \"ARM\\x64\" magic at offset 56); for a "
        "bare-metal binary use --guest");
  }
  Arm64ImageHeader header;
  header.text_offset = Le64(image, 8);
  header.image_size = Le64(image, 16);
  header.flags = Le64(image, 24);
  if (header.image_size == 0) header.text_offset = kDefaultTextOffset;
  if (header.flags & 1) {
    return absl::InvalidArgumentError(
        "the kernel is big-endian; hypercall-vmm boots little-endian");
  }
  return header;
}

absl::StatusOr<BootLayout> PlanRawBoot(uint64_t ram_base, uint64_t ram_size, uint64_t size) {
  std::optional<GuestRange> dtb = DtbRegion(ram_base, ram_size);
  if (!dtb || size > dtb->start - ram_base) {
    return TooBig("the guest binary", ram_base + size, ram_base, ram_size);
  }
  BootLayout layout;
  layout.image = {ram_base, ram_base + size};
  layout.entry = ram_base;
  layout.dtb = *dtb;
  return layout;
}

absl::StatusOr<BootLayout> PlanLinuxBoot(uint64_t ram_base, uint64_t ram_size,
                                         const Arm64ImageHeader& header, uint64_t image_file_size,
                                         std::optional<uint64_t> initrd_size) {
  BootLayout layout;
  // As close to the start of RAM as the protocol allows.
  const uint64_t load = AlignDown(ram_base + k2MiB - 1, k2MiB) + header.text_offset;
  layout.image = {load, load + std::max(header.image_size, image_file_size)};
  layout.entry = load;
  std::optional<GuestRange> dtb = DtbRegion(ram_base, ram_size);
  if (!dtb || layout.image.end > dtb->start) {
    return TooBig("the kernel", layout.image.end, ram_base, ram_size);
  }
  layout.dtb = *dtb;
  if (initrd_size) {
    if (*initrd_size > dtb->start - layout.image.end) {
      return TooBig("the kernel with its initrd", layout.image.end + *initrd_size, ram_base,
                    ram_size);
    }
    const uint64_t start = AlignDown(dtb->start - *initrd_size, kInitrdAlign);
    if (start < layout.image.end) {
      return TooBig("the kernel with its initrd", layout.image.end + *initrd_size + kInitrdAlign,
                    ram_base, ram_size);
    }
    layout.initrd = GuestRange{start, start + *initrd_size};
  }
  return layout;
}

absl::Status LoadBootImages(shim::GuestMemory& ram, const BootLayout& layout,
                            std::span<const uint8_t> image, std::span<const uint8_t> initrd) {
  if (absl::Status s = ram.Write(layout.image.start, image); !s.ok()) return s;
  if (layout.initrd) return ram.Write(layout.initrd->start, initrd);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint8_t>> ReadGuestFile(const std::string& path, const char* what) {
  auto error = [&](const char* doing) {
    const int err = errno;
    const std::string message =
        absl::StrFormat("cannot %s the %s '%s': %s", doing, what, path, std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(message);
    return absl::FailedPreconditionError(message);
  };
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return error("open");
  std::vector<uint8_t> bytes;
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) bytes.reserve(st.st_size);
  uint8_t buffer[1 << 16];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status status = error("read");
      close(fd);
      return status;
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  close(fd);
  return bytes;
}

}  // namespace hypercall::vmm
