#include "smccc/range_claim.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace hypercall::smccc {
namespace {

// "x1-x3, x5" for a register mask; "no registers" for 0.
std::string DescribeRegisters(RegisterMask mask) {
  std::vector<std::string> parts;
  for (int i = 0; i < kNumRegisters;) {
    if ((mask & (1u << i)) == 0) {
      ++i;
      continue;
    }
    int last = i;
    while (last + 1 < kNumRegisters && (mask & (1u << (last + 1)))) ++last;
    parts.push_back(last == i ? absl::StrFormat("x%d", i) : absl::StrFormat("x%d-x%d", i, last));
    i = last + 1;
  }
  return parts.empty() ? "no registers" : absl::StrJoin(parts, ", ");
}

// DescribeMemoryOperands, with the x0 each operand answers for a bad address
// when it says (operands differing only in that look the same otherwise).
std::string DescribeOperands(const std::vector<MemoryOperand>& operands) {
  std::string out = DescribeMemoryOperands(operands);
  for (size_t i = 0; i < operands.size(); ++i) {
    if (operands[i].bad_address_x0.has_value()) {
      absl::StrAppendFormat(&out, " (operand %d: x0 0x%x for a bad address)", i,
                            *operands[i].bad_address_x0);
    }
  }
  return out;
}

}  // namespace

absl::Status CheckClaim(const RangeClaim& claim) {
  if (absl::Status range = CheckRange(claim.range); !range.ok()) return range;
  if ((claim.args_read_mask & ~kAllArgRegisters) != 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("range %s: args_read_mask 0x%x names registers outside x1..x17",
                        DescribeRange(claim.range), claim.args_read_mask));
  }
  if (absl::Status memory = CheckMemoryOperands(claim.memory, claim.args_read_mask); !memory.ok()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("range %s: %s", DescribeRange(claim.range), memory.message()));
  }
  return absl::OkStatus();
}

absl::Status CheckClaimWithin(const RangeClaim& claim, const std::vector<RangeClaim>& allowed,
                              std::string_view owner) {
  const RangeClaim* within = nullptr;
  for (const RangeClaim& candidate : allowed) {
    if (candidate.range.Contains(claim.range)) within = &candidate;
  }
  if (within == nullptr) {
    std::vector<FunctionRange> ranges;
    for (const RangeClaim& candidate : allowed) ranges.push_back(candidate.range);
    if (absl::Status covered = CheckCoveredBy(claim.range, ranges, owner); !covered.ok()) {
      return covered;
    }
    return absl::PermissionDeniedError(absl::StrFormat(
        "range %s spans more than one range %s may claim (%s): claim each on its own",
        DescribeRange(claim.range), owner, DescribeRanges(ranges)));
  }
  if (const RegisterMask extra = claim.args_read_mask & ~within->args_read_mask; extra != 0) {
    return absl::PermissionDeniedError(
        absl::StrFormat("range %s reads %s, but %s may read only %s in range %s",
                        DescribeRange(claim.range), DescribeRegisters(extra), owner,
                        DescribeRegisters(within->args_read_mask), DescribeRange(within->range)));
  }
  if (claim.memory != within->memory) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "range %s passes memory %s, but %s passes %s in range %s: claim exactly those, in that "
        "order",
        DescribeRange(claim.range), DescribeOperands(claim.memory), owner,
        DescribeOperands(within->memory), DescribeRange(within->range)));
  }
  if (claim.secret_results && !within->secret_results) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "range %s keeps its results secret, but %s is planned to show them in range %s: mark "
        "that range secret_results",
        DescribeRange(claim.range), owner, DescribeRange(within->range)));
  }
  return absl::OkStatus();
}

}  // namespace hypercall::smccc
