#include "guest_boot.h"

#include "fdt_builder.h"
#include "platform.h"

namespace hypercall::vmm {

absl::StatusOr<GuestBoot> PlanGuestBoot(const VmmOptions& options) {
  const uint64_t ram_size = options.memory_mib * platform::kMiB;
  GuestBoot boot;
  boot.ram = {platform::kRamBase, platform::kRamBase + ram_size};
  if (!options.guest.empty()) {
    absl::StatusOr<std::vector<uint8_t>> guest = ReadGuestFile(options.guest, "guest");
    if (!guest.ok()) return guest.status();
    boot.image = *std::move(guest);
    absl::StatusOr<BootLayout> layout =
        PlanRawBoot(platform::kRamBase, ram_size, boot.image.size());
    if (!layout.ok()) return layout.status();
    boot.layout = *layout;
    return boot;
  }
  absl::StatusOr<std::vector<uint8_t>> kernel = ReadGuestFile(options.kernel, "kernel");
  if (!kernel.ok()) return kernel.status();
  boot.image = *std::move(kernel);
  absl::StatusOr<Arm64ImageHeader> header = ParseArm64ImageHeader(boot.image);
  if (!header.ok()) return header.status();
  std::optional<uint64_t> initrd_size;
  if (!options.initrd.empty()) {
    absl::StatusOr<std::vector<uint8_t>> initrd = ReadGuestFile(options.initrd, "initrd");
    if (!initrd.ok()) return initrd.status();
    boot.initrd = *std::move(initrd);
    initrd_size = boot.initrd.size();
  }
  absl::StatusOr<BootLayout> layout =
      PlanLinuxBoot(platform::kRamBase, ram_size, *header, boot.image.size(), initrd_size);
  if (!layout.ok()) return layout.status();
  boot.layout = *layout;
  boot.bootargs = options.append;
  return boot;
}

absl::Status WriteGuestBoot(const GuestBoot& boot, uint32_t vcpu_count, shim::GuestMemory& ram) {
  if (absl::Status s = LoadBootImages(ram, boot.layout, boot.image, boot.initrd); !s.ok()) {
    return s;
  }
  DeviceTreeSpec spec;
  spec.vcpu_count = vcpu_count;
  spec.ram_base = boot.ram.start;
  spec.ram_size = boot.ram.end - boot.ram.start;
  spec.bootargs = boot.bootargs;
  spec.initrd = boot.layout.initrd;
  absl::StatusOr<std::vector<uint8_t>> dtb = BuildDeviceTree(spec);
  if (!dtb.ok()) return dtb.status();
  return ram.Write(boot.layout.dtb.start, *dtb);
}

}  // namespace hypercall::vmm
