#include "core/range_table.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "smccc/function_id.h"
#include "smccc/range_claim.h"

namespace hypercall::core {

absl::Status RangeTable::Insert(Route route) {
  if (route.provider == nullptr) return absl::InvalidArgumentError("route has no provider");
  const std::string& claimant = route.provider->name;
  if (absl::Status status = smccc::CheckClaim({route.range, route.args_read_mask, route.memory});
      !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("provider \"%s\": %s", claimant, status.message()));
  }
  auto after =
      std::upper_bound(routes_.begin(), routes_.end(), route.range.first,
                       [](uint32_t first, const Route& r) { return first < r.range.first; });
  // Only the neighbours can overlap a range in a sorted, non-overlapping table.
  for (auto it : {after, after == routes_.begin() ? routes_.end() : after - 1}) {
    if (it == routes_.end()) continue;
    if (absl::Status status = smccc::CheckNoOverlap(
            route.range, it->range, absl::StrFormat("provider \"%s\"", it->provider->name));
        !status.ok()) {
      return absl::AlreadyExistsError(
          absl::StrFormat("provider \"%s\": %s", claimant, status.message()));
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
