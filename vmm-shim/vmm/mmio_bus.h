// The guest-physical MMIO map of emulated devices: each device registers its
// range once at setup, and the vCPU loop only hands each KVM_EXIT_MMIO to
// Access(), which finds the device and converts between the exit's
// little-endian data bytes and a value (as kvmtool's mmio.c does).
#ifndef HYPERCALL_VMM_SHIM_VMM_MMIO_BUS_H_
#define HYPERCALL_VMM_SHIM_VMM_MMIO_BUS_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace hypercall::vmm {

// A device's registers. Called from any vCPU thread: implementations are
// thread-safe.
class MmioDevice {
 public:
  virtual ~MmioDevice() = default;
  // `offset` from the device's base; `size` is 1, 2, 4 or 8 bytes.
  virtual uint64_t Read(uint64_t offset, int size) = 0;
  virtual void Write(uint64_t offset, uint64_t value, int size) = 0;
};

class MmioBus {
 public:
  // Maps [base, base + size) to `device` (not owned; must outlive the bus).
  // InvalidArgument when the range is empty or overlaps one already mapped.
  // Setup only: not thread-safe against Access().
  absl::Status Add(uint64_t base, uint64_t size, MmioDevice& device, std::string name);

  // One guest access of `data.size()` bytes (1..8) at `address`: a write
  // passes data's little-endian value to the device; a read fills `data`.
  // False when no device maps `address` (a read then yields zeros).
  // Thread-safe once setup is done.
  bool Access(uint64_t address, std::span<uint8_t> data, bool is_write) const;

 private:
  struct Region {
    uint64_t base;
    uint64_t size;
    MmioDevice* device;
    std::string name;
  };
  std::vector<Region> regions_;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_MMIO_BUS_H_
