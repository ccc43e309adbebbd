// The range table: which provider owns which SMCCC function IDs. Ranges
// never overlap and never touch the reserved Arm-architecture ranges KVM
// answers itself. A table is a value: the Router publishes immutable
// snapshots of it, and each VM routes with the snapshot it attached with.
#ifndef HYPERCALL_DAEMON_CORE_RANGE_TABLE_H_
#define HYPERCALL_DAEMON_CORE_RANGE_TABLE_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "core/provider_entry.h"
#include "smccc/call.h"
#include "smccc/function_range.h"
#include "smccc/memory_operand.h"

namespace hypercall::core {

struct Route {
  smccc::FunctionRange range;
  // Argument registers the provider reads (bit i = x(i), 1..17).
  smccc::RegisterMask args_read_mask = 0;
  std::shared_ptr<ProviderEntry> provider;
  // The guest memory buffers calls in the range pass by address.
  std::vector<smccc::MemoryOperand> memory;
  // No observer sees the result registers past x0 of its calls
  // (RangeClaim::secret_results).
  bool secret_results = false;
};

class RangeTable {
 public:
  // Adds `route`. Fails, changing nothing, with
  // - InvalidArgument when the provider is null, or when range, mask and
  //   memory operands fail smccc::CheckClaim (its message, after
  //   "provider \"NAME\": ");
  // - AlreadyExists when it overlaps a route (smccc::CheckNoOverlap's
  //   message, naming both providers).
  absl::Status Insert(Route route);

  // The route owning `function_id` with its SVE hint stripped, or nullptr.
  // Thread-safe on a table nobody modifies.
  const Route* Lookup(uint32_t function_id) const;

  // Sorted by range.first.
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_RANGE_TABLE_H_
