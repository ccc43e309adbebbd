#include "core/held_plan.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace hypercall::core {
namespace {

// Why `route` cannot serve a VM holding `held`, or "" when it can.
std::string Incompatibility(const Route& route, const HeldRange& held) {
  if (route.provider->name != held.provider) {
    return absl::StrFormat(
        "provider \"%s\" serves it now, not \"%s\" that the VM's plan was made with",
        route.provider->name, held.provider);
  }
  if ((route.args_read_mask & ~held.args_read_mask) != 0) {
    return absl::StrFormat(
        "provider \"%s\" now reads registers (mask 0x%x) the VM does not read (it reads 0x%x)",
        held.provider, route.args_read_mask, held.args_read_mask);
  }
  if (route.memory != held.memory) {
    return absl::StrFormat("provider \"%s\" now passes memory %s, the VM passes %s", held.provider,
                           smccc::DescribeMemoryOperands(route.memory),
                           smccc::DescribeMemoryOperands(held.memory));
  }
  return "";
}

}  // namespace

HeldPlanning PlanWithin(const RangeTable& current, const std::vector<HeldRange>& held) {
  auto routes = std::make_shared<RangeTable>();
  std::vector<RefusedRange> refused;
  const auto refuse = [&refused](uint32_t first, uint32_t last, std::string reason) {
    refused.push_back({{first, last}, std::move(reason)});
  };
  for (const HeldRange& range : held) {
    // The first ID of `range` not yet served or refused; done once past last.
    uint64_t next = range.range.first;
    for (const Route& route : current.routes()) {
      if (!route.range.Overlaps(range.range)) continue;
      const uint32_t first = std::max(route.range.first, range.range.first);
      const uint32_t last = std::min(route.range.last, range.range.last);
      if (next < first) refuse(static_cast<uint32_t>(next), first - 1, "no provider serves it now");
      if (std::string why = Incompatibility(route, range); !why.empty()) {
        refuse(first, last, std::move(why));
      } else {
        // A piece of a valid route is a valid route, apart from the others.
        routes
            ->Insert({{first, last},
                      route.args_read_mask,
                      route.provider,
                      route.memory,
                      route.secret_results})
            .IgnoreError();
      }
      next = uint64_t{last} + 1;
    }
    if (next <= range.range.last) {
      refuse(static_cast<uint32_t>(next), range.range.last, "no provider serves it now");
    }
  }
  return {std::move(routes), std::move(refused)};
}

}  // namespace hypercall::core
