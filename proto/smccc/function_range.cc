#include "smccc/function_range.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hypercall::smccc {

const FunctionRange* OverlappingReservedRange(const FunctionRange& range) {
  for (const FunctionRange& reserved : kReservedRanges) {
    if (reserved.Overlaps(range)) return &reserved;
  }
  return nullptr;
}

std::string DescribeRange(const FunctionRange& range) {
  return absl::StrFormat("0x%08x-0x%08x", range.first, range.last);
}

std::string DescribeRanges(const std::vector<FunctionRange>& ranges) {
  if (ranges.empty()) return "none";
  return absl::StrJoin(ranges, ", ", [](std::string* out, const FunctionRange& range) {
    out->append(DescribeRange(range));
  });
}

absl::Status CheckRange(const FunctionRange& range) {
  if (range.first > range.last) {
    return absl::InvalidArgumentError(
        absl::StrFormat("range %s is empty: first must not be above last", DescribeRange(range)));
  }
  if (const FunctionRange* reserved = OverlappingReservedRange(range)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "range %s overlaps the SMCCC-reserved range %s (Arm architecture calls such as "
        "SMCCC_VERSION and ARCH_FEATURES), which KVM always answers itself and never forwards",
        DescribeRange(range), DescribeRange(*reserved)));
  }
  return absl::OkStatus();
}

absl::Status CheckNoOverlap(const FunctionRange& range, const FunctionRange& held,
                            std::string_view holder) {
  if (!range.Overlaps(held)) return absl::OkStatus();
  return absl::AlreadyExistsError(
      absl::StrFormat("range %s overlaps range %s of %s: a function ID has one owner",
                      DescribeRange(range), DescribeRange(held), holder));
}

absl::Status CheckCoveredBy(const FunctionRange& range, const std::vector<FunctionRange>& allowed,
                            std::string_view owner) {
  // The first ID not yet covered; each pass over `allowed` moves it past
  // every range it is in, so any order of `allowed` works.
  uint64_t next = range.first;
  for (bool moved = true; moved && next <= range.last;) {
    moved = false;
    for (const FunctionRange& own : allowed) {
      if (own.first <= next && next <= own.last) {
        next = uint64_t{own.last} + 1;
        moved = true;
      }
    }
  }
  if (next > range.last) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrFormat("range %s is outside what %s may claim (%s)",
                                                     DescribeRange(range), owner,
                                                     DescribeRanges(allowed)));
}

}  // namespace hypercall::smccc
