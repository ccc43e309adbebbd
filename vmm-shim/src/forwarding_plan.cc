#include "hypercall/shim/forwarding_plan.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "hypercall/v1/vmm.pb.h"
#include "smccc/function_id.h"
#include "smccc/range_claim.h"
#include "wire/convert.h"

namespace hypercall::shim {
namespace {

// A plan range as a claim, when it keeps the rules of one (smccc::CheckClaim).
absl::StatusOr<smccc::RangeClaim> CheckedClaim(const v1::PlannedRange& r) {
  absl::StatusOr<smccc::FunctionRange> range = wire::RangeFromProto(r);
  if (!range.ok()) return range.status();
  absl::StatusOr<std::vector<smccc::MemoryOperand>> memory = wire::FromProto(r.memory());
  if (!memory.ok()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("range %s: %s", smccc::DescribeRange(*range), memory.status().message()));
  }
  smccc::RangeClaim claim{*range, r.args_read_mask(), *std::move(memory)};
  if (absl::Status status = smccc::CheckClaim(claim); !status.ok()) return status;
  return claim;
}

// OK when `range` comes after `before`, which `holder` has, without
// overlapping it: the plan is sorted.
absl::Status CheckAfter(const smccc::FunctionRange& range, const smccc::FunctionRange& before,
                        const std::string& holder) {
  if (absl::Status status = smccc::CheckNoOverlap(range, before, holder); !status.ok()) {
    return status;
  }
  if (range.first > before.last) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrFormat("range %s is out of order: it comes before range %s of %s",
                      smccc::DescribeRange(range), smccc::DescribeRange(before), holder));
}

}  // namespace

absl::StatusOr<ForwardingPlan> ForwardingPlan::FromProto(const v1::ForwardingPlan& plan) {
  ForwardingPlan out;
  smccc::FunctionRange before;
  for (int i = 0; i < plan.ranges_size(); ++i) {
    const v1::PlannedRange& r = plan.ranges(i);
    absl::StatusOr<smccc::RangeClaim> claim = CheckedClaim(r);
    absl::Status status = claim.status();
    if (status.ok() && i > 0) {
      status = CheckAfter(
          claim->range, before,
          absl::StrFormat("provider \"%s\" (plan range %d)", out.ranges_.back().provider, i - 1));
    }
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("plan range %d: %s", i, status.message()));
    }
    out.ranges_.push_back({claim->range.first, r.count(), claim->args_read_mask, r.provider(),
                           std::move(claim->memory)});
    before = claim->range;
  }
  for (int i = 0; i < plan.stolen_time_records_size(); ++i) {
    if (plan.stolen_time_records(i) % kStolenTimeRecordSize != 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("the stolen-time record of vCPU %d, 0x%x, is not 64-byte aligned", i,
                          plan.stolen_time_records(i)));
    }
    out.stolen_time_records_.push_back(plan.stolen_time_records(i));
  }
  return out;
}

const PlannedRange* ForwardingPlan::Find(uint32_t fid) const {
  const uint32_t id = smccc::RoutingId(fid);
  // The last range starting at or before `id` is the only one that can hold it.
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), id,
                             [](uint32_t v, const PlannedRange& r) { return v < r.first; });
  if (it == ranges_.begin()) return nullptr;
  --it;
  return it->Contains(id) ? &*it : nullptr;
}

smccc::RegisterMask ForwardingPlan::ArgsToRead(uint32_t fid) const {
  const PlannedRange* range = Find(fid);
  if (range == nullptr) return 0;
  if (smccc::IsSmc64(fid)) return range->args_read_mask;
  constexpr smccc::RegisterMask kW1ToW7 =
      ((smccc::RegisterMask{1} << smccc::kNumSmc32Registers) - 1) & ~smccc::RegisterMask{1};
  return range->args_read_mask & kW1ToW7;
}

std::string ForwardingPlan::Describe() const {
  if (ranges_.empty() && stolen_time_records_.empty()) return "(empty)";
  std::string out;
  for (const PlannedRange& r : ranges_) {
    if (!out.empty()) out += ", ";
    out += absl::StrFormat("0x%08x+%u (%s, reads mask 0x%x", r.first, r.count, r.provider,
                           r.args_read_mask);
    if (!r.memory.empty()) out += ", memory " + smccc::DescribeMemoryOperands(r.memory);
    out += ")";
  }
  if (!stolen_time_records_.empty()) {
    out += absl::StrFormat("; stolen-time records for %u vCPUs, vCPU 0's at 0x%x",
                           stolen_time_records_.size(), stolen_time_records_[0]);
  }
  return out;
}

}  // namespace hypercall::shim
