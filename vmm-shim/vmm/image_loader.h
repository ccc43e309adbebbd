// Where a guest's images go in RAM and putting them there: a raw binary at the
// start of RAM, or a Linux arm64 Image per Documentation/arch/arm64/booting.rst
// (2 MiB-aligned base + text_offset, image_size bytes reserved), with the
// initrd just below the device tree, which takes the top 2 MiB. Pure logic
// over shim::GuestMemory, so every placement rule is unit tested.
#ifndef HYPERCALL_VMM_SHIM_VMM_IMAGE_LOADER_H_
#define HYPERCALL_VMM_SHIM_VMM_IMAGE_LOADER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hypercall/shim/guest_memory.h"

namespace hypercall::vmm {

// The fields of the 64-byte arm64 Image header the loader uses.
struct Arm64ImageHeader {
  // Offset of the image from a 2 MiB-aligned base (0x80000 when image_size
  // is 0, as booting.rst says for old kernels).
  uint64_t text_offset = 0;
  // Bytes the kernel needs from its load address, bss included; 0 = unknown.
  uint64_t image_size = 0;
  // Bit 0: big-endian kernel.
  uint64_t flags = 0;
};

// InvalidArgument when `image` is shorter than the header, lacks the "ARM\x64"
// magic (saying so, and that a gzip-compressed vmlinuz must be decompressed),
// or is a big-endian kernel.
absl::StatusOr<Arm64ImageHeader> ParseArm64ImageHeader(std::span<const uint8_t> image);

// A guest-physical range [start, end).
struct GuestRange {
  uint64_t start = 0;
  uint64_t end = 0;
  bool operator==(const GuestRange&) const = default;
};

// Where everything goes, and where vCPU 0 starts.
struct BootLayout {
  // The kernel or raw binary: its file bytes at `image.start`; `image.end`
  // includes what the kernel reserves past its file (bss).
  GuestRange image;
  // vCPU 0's PC.
  uint64_t entry = 0;
  // The device tree's region (top 2 MiB of RAM); x0 = dtb.start.
  GuestRange dtb;
  // The initrd, when there is one.
  std::optional<GuestRange> initrd;
  bool operator==(const BootLayout&) const = default;
};

// A raw binary of `size` bytes at the start of RAM. OutOfRange saying how
// much RAM it needs (and to raise --memory) when it does not fit below the
// device tree.
absl::StatusOr<BootLayout> PlanRawBoot(uint64_t ram_base, uint64_t ram_size, uint64_t size);

// A Linux Image of `image_file_size` bytes with `header`, and an initrd of
// `initrd_size` bytes if any. OutOfRange (raise --memory) when kernel, initrd
// and device tree do not fit without overlapping.
absl::StatusOr<BootLayout> PlanLinuxBoot(uint64_t ram_base, uint64_t ram_size,
                                         const Arm64ImageHeader& header, uint64_t image_file_size,
                                         std::optional<uint64_t> initrd_size);

// Copies the image (and initrd) to where `layout` says; the device tree is
// written separately. Errors from GuestMemory::Write.
absl::Status LoadBootImages(shim::GuestMemory& ram, const BootLayout& layout,
                            std::span<const uint8_t> image, std::span<const uint8_t> initrd);

// A whole file. NotFound / PermissionDenied / ... naming the file and `what`
// it was meant to be ("kernel", "initrd", "guest").
absl::StatusOr<std::vector<uint8_t>> ReadGuestFile(const std::string& path, const char* what);

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_IMAGE_LOADER_H_
