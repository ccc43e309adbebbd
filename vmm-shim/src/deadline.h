// The shim's clock: every wait (a call, an attach, a stream step, a close)
// ends at a Deadline on it, so no thread waits longer than it chose.
#ifndef HYPERCALL_VMM_SHIM_SRC_DEADLINE_H_
#define HYPERCALL_VMM_SHIM_SRC_DEADLINE_H_

#include <algorithm>
#include <chrono>

namespace hypercall::shim::internal {

using Clock = std::chrono::steady_clock;
// Deadline::max() waits forever.
using Deadline = Clock::time_point;

// How long a call waits for the daemon: `own` (ShimOptions::call_deadline),
// but never less than `daemon` (its provider deadline, Attached's
// call_deadline_ms; 0 when it said none) plus a margin for the trip and the
// shim's own work, so the daemon's answer to a call its provider let lapse
// (NOT_SUPPORTED) arrives before the shim gives up on the stream.
inline std::chrono::milliseconds CallWait(std::chrono::milliseconds own,
                                          std::chrono::milliseconds daemon) {
  if (daemon.count() <= 0) return own;
  const std::chrono::milliseconds margin = std::max(std::chrono::milliseconds(50), daemon / 10);
  return std::max(own, daemon + margin);
}

}  // namespace hypercall::shim::internal

#endif  // HYPERCALL_VMM_SHIM_SRC_DEADLINE_H_
