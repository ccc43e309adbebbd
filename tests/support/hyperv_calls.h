// The Hyper-V calls as a Linux arm64 guest makes them (arch/arm64/hyperv/),
// written out independently of the hyperv provider's own constants, for the
// tests that drive it through a VM.
#ifndef HYPERCALL_TESTS_SUPPORT_HYPERV_CALLS_H_
#define HYPERCALL_TESTS_SUPPORT_HYPERV_CALLS_H_

#include <cstdint>

namespace hypercall::testing::hyperv {

inline constexpr uint32_t kCallUid = 0x8600ff01;
inline constexpr uint32_t kHvCall = 0x46000001;
// Control word (x1): fast bit, and a rep count of 1.
inline constexpr uint64_t kFast = uint64_t{1} << 16;
inline constexpr uint64_t kRep1 = uint64_t{1} << 32;
inline constexpr uint64_t kPartitionSelf = ~uint64_t{0};
inline constexpr uint64_t kVpSelf = 0xfffffffe;
// Register names.
inline constexpr uint32_t kGuestOsId = 0x90002;
inline constexpr uint32_t kVpIndex = 0x90003;
inline constexpr uint32_t kHypervisorVersion = 0x100;

}  // namespace hypercall::testing::hyperv

#endif  // HYPERCALL_TESTS_SUPPORT_HYPERV_CALLS_H_
