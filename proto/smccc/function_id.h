// The fields of an SMCCC function ID (Arm DEN0028); ranges of them are in
// function_range.h. Constexpr so routing tables and tests can use them at
// compile time.
#ifndef HYPERCALL_PROTO_SMCCC_FUNCTION_ID_H_
#define HYPERCALL_PROTO_SMCCC_FUNCTION_ID_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace hypercall::smccc {

// Bit 31: 1 = fast call, 0 = yielding call.
inline constexpr uint32_t kFastCallBit = 1u << 31;
// Bit 30: 1 = SMC64/HVC64 calling convention, 0 = SMC32/HVC32.
inline constexpr uint32_t kSmc64Bit = 1u << 30;
// Bit 16 (SMCCC v1.3): the caller holds no live SVE state. A hint only: it
// is stripped before routing.
inline constexpr uint32_t kSveHintBit = 1u << 16;
inline constexpr int kOwnerShift = 24;
inline constexpr uint32_t kOwnerMask = 0x3f;
inline constexpr uint32_t kFunctionNumberMask = 0xffff;

// Service owners (bits 29:24).
enum class Owner : uint8_t {
  kArch = 0,
  kCpu = 1,
  kSip = 2,
  kOem = 3,
  kStandardSecure = 4,
  kStandardHyp = 5,
  kVendorHyp = 6,
  kVendorEl3 = 7,
  // 8-47 reserved; 48-49 Trusted Applications; 50-63 Trusted OS.
};

constexpr bool IsFastCall(uint32_t fid) { return (fid & kFastCallBit) != 0; }
constexpr bool IsSmc64(uint32_t fid) { return (fid & kSmc64Bit) != 0; }
constexpr bool HasSveHint(uint32_t fid) { return (fid & kSveHintBit) != 0; }
constexpr uint32_t OwnerOf(uint32_t fid) { return (fid >> kOwnerShift) & kOwnerMask; }
constexpr uint32_t FunctionNumber(uint32_t fid) { return fid & kFunctionNumberMask; }
// The ID a router looks up: the SVE hint cleared, all else as issued.
constexpr uint32_t RoutingId(uint32_t fid) { return fid & ~kSveHintBit; }

constexpr uint32_t MakeFunctionId(bool fast, bool smc64, uint32_t owner, uint32_t number) {
  return (fast ? kFastCallBit : 0) | (smc64 ? kSmc64Bit : 0) |
         ((owner & kOwnerMask) << kOwnerShift) | (number & kFunctionNumberMask);
}

// "Arm Architecture", "Standard Secure", "Vendor Hypervisor", "Trusted OS",
// "Reserved", ...
std::string OwnerName(uint32_t owner);

// A one-word form of OwnerName for generated call names: "Arch",
// "StdSecure", "VendorHyp", "TrustedOS", "Reserved", ...
std::string_view OwnerShortName(uint32_t owner);

// "fast SMC64 owner=4(Standard Secure) fn=0x0053", plus " sve-hint" when set.
std::string DescribeFunctionId(uint32_t fid);

}  // namespace hypercall::smccc

#endif  // HYPERCALL_PROTO_SMCCC_FUNCTION_ID_H_
