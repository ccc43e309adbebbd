#include "smccc/return_codes.h"

#include "smccc/function_id.h"

namespace hypercall::smccc {
namespace {

bool IsPsci(uint32_t fid) { return OwnerOf(fid) == 4 && FunctionNumber(fid) <= 0x1f; }
bool IsTrng(uint32_t fid) {
  return OwnerOf(fid) == 4 && FunctionNumber(fid) >= 0x50 && FunctionNumber(fid) <= 0x5f;
}

std::optional<std::string_view> PsciCodeName(int64_t code) {
  switch (code) {
    case -1:
      return "NOT_SUPPORTED";
    case -2:
      return "PSCI_INVALID_PARAMETERS";
    case -3:
      return "PSCI_DENIED";
    case -4:
      return "PSCI_ALREADY_ON";
    case -5:
      return "PSCI_ON_PENDING";
    case -6:
      return "PSCI_INTERNAL_FAILURE";
    case -7:
      return "PSCI_NOT_PRESENT";
    case -8:
      return "PSCI_DISABLED";
    case -9:
      return "PSCI_INVALID_ADDRESS";
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<std::string_view> ReturnCodeName(uint32_t fid, uint64_t x0) {
  const int64_t code = IsSmc64(fid) ? static_cast<int64_t>(x0)
                                    : static_cast<int64_t>(static_cast<int32_t>(x0 & 0xffffffff));
  const uint64_t upper = x0 >> 32;
  if (!IsSmc64(fid) && upper != 0 && upper != 0xffffffff) return std::nullopt;  // Not a w0.
  if (code >= 0) return std::nullopt;
  if (IsPsci(fid)) return PsciCodeName(code);
  if (IsTrng(fid)) {
    switch (code) {
      case -1:
        return "NOT_SUPPORTED";
      case -2:
        return "TRNG_INVALID_PARAMETERS";
      case -3:
        return "TRNG_NO_ENTROPY";
      default:
        return std::nullopt;
    }
  }
  switch (code) {
    case -1:
      return "NOT_SUPPORTED";
    case -2:
      return "NOT_REQUIRED";
    case -3:
      return "INVALID_PARAMETER";
    default:
      return std::nullopt;
  }
}

}  // namespace hypercall::smccc
