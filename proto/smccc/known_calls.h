// Function IDs of the calls hypercalld knows by name (PSCI, TRNG, PV time,
// KVM vendor, Hyper-V, FF-A, the Arm architecture calls), and their names
// for listings and traces.
#ifndef HYPERCALL_PROTO_SMCCC_KNOWN_CALLS_H_
#define HYPERCALL_PROTO_SMCCC_KNOWN_CALLS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hypercall::smccc {

// Arm architecture calls (reserved: KVM answers them itself).
inline constexpr uint32_t kSmcccVersion = 0x80000000;
inline constexpr uint32_t kSmcccArchFeatures = 0x80000001;

// PSCI (Standard Secure 0x00-0x1f).
inline constexpr uint32_t kPsciVersion = 0x84000000;
inline constexpr uint32_t kPsciCpuOff = 0x84000002;
inline constexpr uint32_t kPsciCpuOn64 = 0xc4000003;
inline constexpr uint32_t kPsciSystemOff = 0x84000008;
inline constexpr uint32_t kPsciSystemReset = 0x84000009;
inline constexpr uint32_t kPsciFeatures = 0x8400000a;

// TRNG (Arm DEN0098; Standard Secure 0x50-0x5f).
inline constexpr uint32_t kTrngVersion = 0x84000050;
inline constexpr uint32_t kTrngFeatures = 0x84000051;
inline constexpr uint32_t kTrngGetUuid = 0x84000052;
inline constexpr uint32_t kTrngRnd32 = 0x84000053;
inline constexpr uint32_t kTrngRnd64 = 0xc4000053;

// PV time (Arm DEN0057; Standard Hypervisor).
inline constexpr uint32_t kPvTimeFeatures = 0xc5000020;
inline constexpr uint32_t kPvTimeSt = 0xc5000021;

// KVM vendor hypervisor service.
inline constexpr uint32_t kVendorHypCallUid = 0x8600ff01;
inline constexpr uint32_t kKvmFeatures = 0x86000000;
inline constexpr uint32_t kKvmPtp = 0x86000001;
inline constexpr uint32_t kKvmDiscoverImplVer = 0xc6000040;
inline constexpr uint32_t kKvmDiscoverImplCpus = 0xc6000041;

// Hyper-V on arm64: one yielding SMC64 call, the call code in x1.
inline constexpr uint32_t kHyperVHypercall = 0x46000001;

// FF-A v1.2 direct messaging with a full 18-register payload.
inline constexpr uint32_t kFfaMsgSendDirectReq2 = 0xc400008d;
inline constexpr uint32_t kFfaMsgSendDirectResp2 = 0xc400008e;

// The name of a known call ("TRNG_RND64", "PSCI_CPU_ON"), looked up with the
// SVE hint stripped; nullopt when unknown.
std::optional<std::string_view> KnownCallName(uint32_t fid);

// KnownCallName, or a generic name from the ID's fields
// ("StdSecure_SMC64#0x0123"), so every ID prints as something readable.
std::string CallName(uint32_t fid);

// Parses a known call name (case-insensitive) back into its ID.
std::optional<uint32_t> FunctionIdByName(std::string_view name);

}  // namespace hypercall::smccc

#endif  // HYPERCALL_PROTO_SMCCC_KNOWN_CALLS_H_
