// The shim's clock: every wait (a call, an attach, a stream step, a close)
// ends at a Deadline on it, so no thread waits longer than it chose.
#ifndef HYPERCALL_VMM_SHIM_SRC_DEADLINE_H_
#define HYPERCALL_VMM_SHIM_SRC_DEADLINE_H_

#include <chrono>

namespace hypercall::shim::internal {

using Clock = std::chrono::steady_clock;
// Deadline::max() waits forever.
using Deadline = Clock::time_point;

}  // namespace hypercall::shim::internal

#endif  // HYPERCALL_VMM_SHIM_SRC_DEADLINE_H_
