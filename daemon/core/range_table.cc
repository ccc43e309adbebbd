#include "core/range_table.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace hypercall::core {

absl::Status RangeTable::Insert(Route route) {
  if (route.provider == nullptr) return absl::InvalidArgumentError("route has no provider");
  const std::string& claimant = route.provider->name;
  if (route.range.first > route.range.last) {
    return absl::InvalidArgumentError(
        absl::StrFormat("provider '%s' claims an empty range (first 0x%08x > last 0x%08x)",
                        claimant, route.range.first, route.range.last));
  }
  if ((route.args_read_mask & ~smccc::kAllArgRegisters) != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "provider '%s' claims %s reading registers outside x1..x17 (args_read_mask 0x%x)", claimant,
        smccc::DescribeRange(route.range), route.args_read_mask));
  }
  if (absl::Status operands = smccc::CheckMemoryOperands(route.memory, route.args_read_mask);
      !operands.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("provider '%s' claims %s with %s", claimant,
                                                      smccc::DescribeRange(route.range),
                                                      operands.message()));
  }
  if (const smccc::FunctionRange* reserved = smccc::OverlappingReservedRange(route.range)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "provider '%s' cannot claim %s: it overlaps the reserved range %s (Arm architecture "
        "calls such as SMCCC_VERSION and ARCH_FEATURES), which KVM always answers itself and "
        "never forwards",
        claimant, smccc::DescribeRange(route.range), smccc::DescribeRange(*reserved)));
  }
  auto after =
      std::upper_bound(routes_.begin(), routes_.end(), route.range.first,
                       [](uint32_t first, const Route& r) { return first < r.range.first; });
  // Only the neighbours can overlap a range in a sorted, non-overlapping table.
  for (auto it : {after, after == routes_.begin() ? routes_.end() : after - 1}) {
    if (it != routes_.end() && it->range.Overlaps(route.range)) {
      return absl::AlreadyExistsError(absl::StrFormat(
          "provider '%s' cannot claim %s: it overlaps %s owned by provider '%s'", claimant,
          smccc::DescribeRange(route.range), smccc::DescribeRange(it->range), it->provider->name));
    }
  }
  routes_.insert(after, std::move(route));
  return absl::OkStatus();
}

const Route* RangeTable::Lookup(uint32_t function_id) const {
  const uint32_t id = smccc::RoutingId(function_id);
  auto after = std::upper_bound(routes_.begin(), routes_.end(), id,
                                [](uint32_t fid, const Route& r) { return fid < r.range.first; });
  if (after == routes_.begin()) return nullptr;
  const Route& candidate = *(after - 1);
  return candidate.range.Contains(id) ? &candidate : nullptr;
}

}  // namespace hypercall::core
