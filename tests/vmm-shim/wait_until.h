// Waiting for a state that sends no notification (a process's socket, the
// shim's background re-attach): poll it briefly until it holds or time runs out.
#ifndef HYPERCALL_TESTS_VMM_SHIM_WAIT_UNTIL_H_
#define HYPERCALL_TESTS_VMM_SHIM_WAIT_UNTIL_H_

#include <functional>

namespace hypercall::shim::testing {

// Evaluates `done` every 5 ms until it returns true (then returns true) or
// `timeout_ms` passed (then returns false).
bool WaitUntil(const std::function<bool()>& done, int timeout_ms);

}  // namespace hypercall::shim::testing

#endif  // HYPERCALL_TESTS_VMM_SHIM_WAIT_UNTIL_H_
