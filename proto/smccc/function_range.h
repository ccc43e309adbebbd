// Closed ranges of SMCCC function IDs and the rules every range someone owns
// must keep, with one message style for all of them: "range FIRST-LAST
// <what is wrong>[: <why, or what to do>]". Callers add who they are in
// front ("FILE:LINE:COLUMN: ", "provider \"trng\": ", "plan range 2: ").
// The wire's [first, first + count) form is converted to and from this one
// in wire/convert.h only.
#ifndef HYPERCALL_PROTO_SMCCC_FUNCTION_RANGE_H_
#define HYPERCALL_PROTO_SMCCC_FUNCTION_RANGE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace hypercall::smccc {

// A closed range of function IDs [first, last]; empty when first > last.
struct FunctionRange {
  uint32_t first = 0;
  uint32_t last = 0;
  constexpr bool Contains(uint32_t fid) const { return fid >= first && fid <= last; }
  // True when every ID of `inner` is in this range (`inner` not empty).
  constexpr bool Contains(const FunctionRange& inner) const {
    return first <= inner.first && inner.last <= last;
  }
  constexpr bool Overlaps(const FunctionRange& o) const {
    return first <= o.last && o.first <= last;
  }
  constexpr uint64_t size() const { return uint64_t{last} - first + 1; }
  bool operator==(const FunctionRange&) const = default;
};

// The ranges KVM answers itself and never forwards (SMCCC_VERSION,
// ARCH_FEATURES, SOC_ID, the CPU workarounds): fast Arm-architecture calls,
// 32- and 64-bit.
inline constexpr FunctionRange kReservedRanges[] = {
    {0x80000000u, 0x8000ffffu},
    {0xc0000000u, 0xc000ffffu},
};

// The reserved range `range` overlaps, or nullptr.
const FunctionRange* OverlappingReservedRange(const FunctionRange& range);

// "0x84000050-0x8400005f", for messages about ranges.
std::string DescribeRange(const FunctionRange& range);
// "0x84000050-0x8400005f, 0xc4000050-0xc400005f" in the order given, or
// "none".
std::string DescribeRanges(const std::vector<FunctionRange>& ranges);

// InvalidArgument when `range` cannot be owned: it is empty ("range R is
// empty: first must not be above last"), or it overlaps a reserved range
// ("range R overlaps the SMCCC-reserved range X (...), which KVM always
// answers itself and never forwards").
absl::Status CheckRange(const FunctionRange& range);

// AlreadyExists when `range` overlaps `held`, which `holder` has ("range R
// overlaps range H of <holder>: a function ID has one owner"); `holder` says
// who, e.g. "provider \"trng\" (line 2)".
absl::Status CheckNoOverlap(const FunctionRange& range, const FunctionRange& held,
                            std::string_view holder);

// PermissionDenied unless every ID of `range` is in one of `allowed`
// (several may cover it together): "range R is outside what <owner> may
// claim (A, B)"; `owner` names whose ranges `allowed` are, e.g.
// "built-in provider \"trng\"".
absl::Status CheckCoveredBy(const FunctionRange& range, const std::vector<FunctionRange>& allowed,
                            std::string_view owner);

}  // namespace hypercall::smccc

#endif  // HYPERCALL_PROTO_SMCCC_FUNCTION_RANGE_H_
