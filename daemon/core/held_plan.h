// Planning a VM that already holds a forwarding plan. KVM's SMCCC filter is
// write-once, so a VMM re-attaching after a daemon restart (or after a reload
// ended its session) keeps forwarding exactly the ranges it installed, and
// reads exactly the registers that plan named. The daemon may serve such a
// VM only within that plan: a held range is served where a route of the
// current table has the same provider, reads no register the VMM no longer
// reads, and passes the same memory operands; everything else in it is
// refused, with the reason, so the VMM answers it locally and a provider
// never sees zeros for a register nobody read.
#ifndef HYPERCALL_DAEMON_CORE_HELD_PLAN_H_
#define HYPERCALL_DAEMON_CORE_HELD_PLAN_H_

#include <memory>
#include <string>
#include <vector>

#include "core/range_table.h"
#include "smccc/call.h"
#include "smccc/function_range.h"
#include "smccc/memory_operand.h"

namespace hypercall::core {

// One range of the plan a VMM holds, as it was planned.
struct HeldRange {
  smccc::FunctionRange range;
  // The registers the VMM reads and sends for calls in the range.
  smccc::RegisterMask args_read_mask = 0;
  // The provider it was planned with.
  std::string provider;
  std::vector<smccc::MemoryOperand> memory;
};

// A part of a held range the daemon does not serve, and why.
struct RefusedRange {
  smccc::FunctionRange range;
  std::string reason;
};

struct HeldPlanning {
  // The routes the session gets: pieces of held ranges, each the current
  // route's reads, provider and memory.
  std::shared_ptr<const RangeTable> routes;
  // The rest of every held range, in range order.
  std::vector<RefusedRange> refused;
};

// Plans a VM holding `held` (sorted, not overlapping, as a plan is) with
// the routes of `current` (the table the VM would get without a held plan,
// VM rules applied). Routes outside `held` are left out: the VM's filter
// does not forward them.
HeldPlanning PlanWithin(const RangeTable& current, const std::vector<HeldRange>& held);

}  // namespace hypercall::core

#endif  // HYPERCALL_DAEMON_CORE_HELD_PLAN_H_
