// What the guest boots and how it starts, from the command line: reads the
// files, checks they fit (image_loader.h), then writes images and device tree
// into guest RAM and tells what vCPU 0's first registers must be.
#ifndef HYPERCALL_VMM_SHIM_VMM_GUEST_BOOT_H_
#define HYPERCALL_VMM_SHIM_VMM_GUEST_BOOT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "hypercall/shim/guest_memory.h"
#include "image_loader.h"
#include "vmm_options.h"

namespace hypercall::vmm {

struct GuestBoot {
  // Guest RAM: options.memory_mib at platform::kRamBase.
  GuestRange ram;
  BootLayout layout;
  std::vector<uint8_t> image;
  std::vector<uint8_t> initrd;
  std::string bootargs;
};

// Reads --guest, or --kernel and --initrd, and places them in RAM of
// options.memory_mib. Errors name the file, or say to raise --memory.
absl::StatusOr<GuestBoot> PlanGuestBoot(const VmmOptions& options);

// Copies images into `ram` (which holds boot.ram) and writes the device tree
// for `vcpu_count` vCPUs.
absl::Status WriteGuestBoot(const GuestBoot& boot, uint32_t vcpu_count, shim::GuestMemory& ram);

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_GUEST_BOOT_H_
