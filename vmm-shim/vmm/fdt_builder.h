// The flattened device tree hypercall-vmm hands its guest (x0 at entry): the
// platform of platform.h described the way Linux reads it. cpus (PSCI
// enable-method), memory, psci (method "hvc": KVM's PSCI), GICv3, the arch
// timer, the ns16550a UART with its interrupt, the exit device, and chosen
// (bootargs, initrd, stdout-path). Built with libfdt's sequential writer.
#ifndef HYPERCALL_VMM_SHIM_VMM_FDT_BUILDER_H_
#define HYPERCALL_VMM_SHIM_VMM_FDT_BUILDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "image_loader.h"

namespace hypercall::vmm {

struct DeviceTreeSpec {
  // vCPUs 0..vcpu_count-1, with the MPIDRs KVM gives them.
  uint32_t vcpu_count = 1;
  // The one RAM region.
  uint64_t ram_base = 0;
  uint64_t ram_size = 0;
  // /chosen/bootargs (always present, may be empty).
  std::string bootargs;
  // /chosen/linux,initrd-start and -end, when there is an initrd.
  std::optional<GuestRange> initrd;
};

// Node paths and phandles the tests and guests rely on.
inline constexpr char kFdtUartPath[] = "/uart@9000000";
inline constexpr char kFdtExitDevicePath[] = "/exit@9010000";
inline constexpr uint32_t kFdtGicPhandle = 1;

// The blob, packed (at most platform::kDtbRegionSize bytes). Internal on a
// libfdt error (names it), OutOfRange if it would exceed 2 MiB.
absl::StatusOr<std::vector<uint8_t>> BuildDeviceTree(const DeviceTreeSpec& spec);

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_FDT_BUILDER_H_
