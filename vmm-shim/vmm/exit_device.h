// The exit device ("hypercall,vmm-exit"): the way a bare-metal guest ends the
// VM with a status. A store of V at offset 0 asks the VMM to stop with exit
// status V & 0xff; reads return 0. Everything else is ignored.
#ifndef HYPERCALL_VMM_SHIM_VMM_EXIT_DEVICE_H_
#define HYPERCALL_VMM_SHIM_VMM_EXIT_DEVICE_H_

#include <cstdint>
#include <functional>

#include "mmio_bus.h"

namespace hypercall::vmm {

class ExitDevice : public MmioDevice {
 public:
  // `on_exit(status, value)` runs on the storing vCPU's thread; it must be
  // thread-safe (two vCPUs may store at once).
  explicit ExitDevice(std::function<void(int status, uint64_t value)> on_exit)
      : on_exit_(std::move(on_exit)) {}

  uint64_t Read(uint64_t, int) override { return 0; }
  void Write(uint64_t offset, uint64_t value, int size) override;

 private:
  std::function<void(int, uint64_t)> on_exit_;
};

}  // namespace hypercall::vmm

#endif  // HYPERCALL_VMM_SHIM_VMM_EXIT_DEVICE_H_
