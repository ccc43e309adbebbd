#include "exit_device.h"

namespace hypercall::vmm {

void ExitDevice::Write(uint64_t offset, uint64_t value, int /*size*/) {
  if (offset == 0) on_exit_(static_cast<int>(value & 0xff), value);
}

}  // namespace hypercall::vmm
