#include "smccc/function_id.h"

#include "absl/strings/str_format.h"

namespace hypercall::smccc {

std::string OwnerName(uint32_t owner) {
  switch (owner) {
    case 0:
      return "Arm Architecture";
    case 1:
      return "CPU";
    case 2:
      return "SiP";
    case 3:
      return "OEM";
    case 4:
      return "Standard Secure";
    case 5:
      return "Standard Hypervisor";
    case 6:
      return "Vendor Hypervisor";
    case 7:
      return "Vendor EL3 Monitor";
    default:
      break;
  }
  if (owner >= 48 && owner <= 49) return "Trusted Application";
  if (owner >= 50 && owner <= 63) return "Trusted OS";
  return "Reserved";
}

const FunctionRange* OverlappingReservedRange(const FunctionRange& range) {
  for (const FunctionRange& reserved : kReservedRanges) {
    if (reserved.Overlaps(range)) return &reserved;
  }
  return nullptr;
}

std::string DescribeFunctionId(uint32_t fid) {
  return absl::StrFormat("%s %s owner=%u(%s) fn=0x%04x%s", IsFastCall(fid) ? "fast" : "yielding",
                         IsSmc64(fid) ? "SMC64" : "SMC32", OwnerOf(fid), OwnerName(OwnerOf(fid)),
                         FunctionNumber(fid), HasSveHint(fid) ? " sve-hint" : "");
}

}  // namespace hypercall::smccc
