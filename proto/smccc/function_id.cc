#include "smccc/function_id.h"

#include <iterator>
#include <string_view>

#include "absl/strings/str_format.h"

namespace hypercall::smccc {

namespace {

struct OwnerNames {
  std::string_view full;
  std::string_view short_name;
};

OwnerNames NamesOf(uint32_t owner) {
  static constexpr OwnerNames kNamed[] = {
      {"Arm Architecture", "Arch"},
      {"CPU", "CPU"},
      {"SiP", "SiP"},
      {"OEM", "OEM"},
      {"Standard Secure", "StdSecure"},
      {"Standard Hypervisor", "StdHyp"},
      {"Vendor Hypervisor", "VendorHyp"},
      {"Vendor EL3 Monitor", "VendorEL3"},
  };
  if (owner < std::size(kNamed)) return kNamed[owner];
  if (owner >= 48 && owner <= 49) return {"Trusted Application", "TrustedApp"};
  if (owner >= 50 && owner <= 63) return {"Trusted OS", "TrustedOS"};
  return {"Reserved", "Reserved"};
}

}  // namespace

std::string OwnerName(uint32_t owner) { return std::string(NamesOf(owner).full); }

std::string_view OwnerShortName(uint32_t owner) { return NamesOf(owner).short_name; }

std::string DescribeFunctionId(uint32_t fid) {
  return absl::StrFormat("%s %s owner=%u(%s) fn=0x%04x%s", IsFastCall(fid) ? "fast" : "yielding",
                         IsSmc64(fid) ? "SMC64" : "SMC32", OwnerOf(fid), OwnerName(OwnerOf(fid)),
                         FunctionNumber(fid), HasSveHint(fid) ? " sve-hint" : "");
}

}  // namespace hypercall::smccc
