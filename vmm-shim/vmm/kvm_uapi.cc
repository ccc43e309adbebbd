#include "kvm_uapi.h"

#include "absl/strings/str_format.h"

namespace hypercall::vmm::kvm {

std::string ExitReasonName(uint32_t exit_reason) {
  switch (exit_reason) {
    case kExitUnknown:
      return "UNKNOWN";
    case kExitHypercall:
      return "HYPERCALL";
    case kExitMmio:
      return "MMIO";
    case kExitShutdown:
      return "SHUTDOWN";
    case kExitFailEntry:
      return "FAIL_ENTRY";
    case kExitIntr:
      return "INTR";
    case kExitInternalError:
      return "INTERNAL_ERROR";
    case kExitSystemEvent:
      return "SYSTEM_EVENT";
    case kExitArmNisv:
      return "ARM_NISV";
  }
  return absl::StrFormat("exit reason %u", exit_reason);
}

}  // namespace hypercall::vmm::kvm
