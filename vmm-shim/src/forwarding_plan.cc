#include "hypercall/shim/forwarding_plan.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "hypercall/v1/vmm.pb.h"
#include "smccc/function_id.h"
#include "wire/convert.h"

namespace hypercall::shim {

absl::StatusOr<ForwardingPlan> ForwardingPlan::FromProto(const v1::ForwardingPlan& plan) {
  ForwardingPlan out;
  uint64_t next_free = 0;  // First ID after the previous range.
  for (int i = 0; i < plan.ranges_size(); ++i) {
    const v1::PlannedRange& r = plan.ranges(i);
    const std::string where =
        absl::StrFormat("plan range %d (0x%08x+%u)", i, r.first_function_id(), r.count());
    if (r.count() == 0) return absl::InvalidArgumentError(where + " is empty");
    const uint64_t end = uint64_t{r.first_function_id()} + r.count();
    if (end > (uint64_t{1} << 32)) {
      return absl::InvalidArgumentError(where + " wraps past 0xffffffff");
    }
    if (r.first_function_id() < next_free) {
      return absl::InvalidArgumentError(where + " is out of order or overlaps the range before it");
    }
    if ((r.args_read_mask() & ~smccc::kAllArgRegisters) != 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: args_read_mask 0x%x names registers outside x1..x17", where, r.args_read_mask()));
    }
    absl::StatusOr<std::vector<smccc::MemoryOperand>> memory = wire::FromProto(r.memory());
    absl::Status memory_ok =
        memory.ok() ? smccc::CheckMemoryOperands(*memory, r.args_read_mask()) : memory.status();
    if (!memory_ok.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("%s: %s", where, memory_ok.message()));
    }
    out.ranges_.push_back(
        {r.first_function_id(), r.count(), r.args_read_mask(), r.provider(), *std::move(memory)});
    next_free = end;
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
