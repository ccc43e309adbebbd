// SMCCC return codes. They are data the guest reads in x0, never errors of
// the broker: a provider "fails" a call by writing one of these.
#ifndef HYPERCALL_PROTO_SMCCC_RETURN_CODES_H_
#define HYPERCALL_PROTO_SMCCC_RETURN_CODES_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace hypercall::smccc {

// DEN0028 generic codes (sign-extended into x0).
inline constexpr int64_t kSuccess = 0;
inline constexpr int64_t kNotSupported = -1;
inline constexpr int64_t kNotRequired = -2;
inline constexpr int64_t kInvalidParameter = -3;

// TRNG (DEN0098) codes.
inline constexpr int64_t kTrngInvalidParameters = -2;
inline constexpr int64_t kTrngNoEntropy = -3;

// The name of x0 as a return code of call `fid` ("NOT_SUPPORTED",
// "TRNG_NO_ENTROPY", "PSCI_DENIED"), or nullopt when x0 is not a negative
// code of a known service. For 32-bit calls only the low 32 bits count.
std::optional<std::string_view> ReturnCodeName(uint32_t fid, uint64_t x0);

}  // namespace hypercall::smccc

#endif  // HYPERCALL_PROTO_SMCCC_RETURN_CODES_H_
