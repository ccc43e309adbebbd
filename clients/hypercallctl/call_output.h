// How `hypercallctl call` prints its outcome: every result register as the
// guest would see it, which ones the call wrote, x0 decoded, and who
// answered. The JSON form is an interface scripts rely on: keys "x0".."x17"
// are always present, as "0x..." strings.
#ifndef HYPERCALL_CLIENTS_HYPERCALLCTL_CALL_OUTPUT_H_
#define HYPERCALL_CLIENTS_HYPERCALLCTL_CALL_OUTPUT_H_

#include <array>
#include <cstdint>
#include <string>

#include "hypercallctl/call_command.h"
#include "hypercallctl/test_vm.h"
#include "smccc/call.h"

namespace hypercall::ctl {

// The registers after the call: the written ones from the result, the
// others as the call left them (its arguments; zero beyond them).
std::array<uint64_t, smccc::kNumRegisters> GuestRegistersAfter(const smccc::Call& call,
                                                               const smccc::Result& result);

// A summary and a register table, or (json) one JSON object and '\n'.
std::string RenderCallOutcome(const CallRequest& request, const TestCallOutcome& outcome,
                              bool json);

}  // namespace hypercall::ctl

#endif  // HYPERCALL_CLIENTS_HYPERCALLCTL_CALL_OUTPUT_H_
